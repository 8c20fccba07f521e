import { appendFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { GoalStore } from '../goal/store.js';
import type { StateFiles } from '../state/port.js';
import { watchOwnProof } from './own-proof.js';

const ID = '20260101-own-proof';
const event = (seq: number, type: string) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: {} })}\n`;

describe("a run's watch of its own goal's proof.json", () => {
  let root: string;
  let store: GoalStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'omk-own-proof-'));
    store = localGoalStore(root);
    await mkdir(store.paths(ID).dir, { recursive: true });
    await writeFile(store.paths(ID).proof, '{"status":"not_ready"}\n');
    await writeFile(store.paths(ID).events, event(1, 'goal_created') + event(2, 'proof_built'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds nothing when the proof is left alone', async () => {
    const watch = await watchOwnProof(store, ID);
    expect(await watch.check()).toEqual([]);
  });

  it('names a proof.json rewritten with no proof_built event', async () => {
    const watch = await watchOwnProof(store, ID);
    await writeFile(store.paths(ID).proof, '{"status":"ready"}\n');
    expect(await watch.check()).toEqual([
      expect.objectContaining({ file: 'proof.json', what: 'rewritten (no `proof_built` event with it)' }),
    ]);
  });

  it('names a proof.json removed', async () => {
    const watch = await watchOwnProof(store, ID);
    await unlink(store.paths(ID).proof);
    expect(await watch.check()).toEqual([expect.objectContaining({ file: 'proof.json', what: 'removed' })]);
  });

  it("takes a proof omk built meanwhile (its proof_built event added) as omk's", async () => {
    const watch = await watchOwnProof(store, ID);
    await writeFile(store.paths(ID).proof, '{"status":"paused"}\n');
    await appendFile(store.paths(ID).events, event(3, 'goal_paused') + event(4, 'proof_built'));
    expect(await watch.check()).toEqual([]);
  });

  it('finds a proof written where there was none', async () => {
    await unlink(store.paths(ID).proof);
    const watch = await watchOwnProof(store, ID);
    await writeFile(store.paths(ID).proof, '{"status":"ready"}\n');
    expect(await watch.check()).toHaveLength(1);
  });

  it('reads none of the log before a run nor after it when the proof is unchanged; after a change, only what the log gained', async () => {
    // A long log: what the check reads must not grow with it.
    await appendFile(
      store.paths(ID).events,
      Array.from({ length: 2_000 }, (_, i) => event(i + 3, 'slice_started')).join(''),
    );
    const read: { path: string; bytes: number }[] = [];
    const counted: StateFiles = {
      ...localStateFiles,
      async readText(path) {
        const text = await localStateFiles.readText(path);
        read.push({ path, bytes: Buffer.byteLength(text ?? '') });
        return text;
      },
      async readRange(path, start, maxBytes) {
        const range = await localStateFiles.readRange(path, start, maxBytes);
        read.push({ path, bytes: range?.bytes.length ?? 0 });
        return range;
      },
    };
    const watched = new GoalStore({ ...store.deps, files: counted });
    const watch = await watchOwnProof(watched, ID);
    expect(await watch.check()).toEqual([]);
    expect(read.reduce((sum, r) => sum + r.bytes, 0)).toBe(0);
    const gained = event(9_000, 'goal_paused') + event(9_001, 'proof_built');
    await writeFile(store.paths(ID).proof, '{"status":"paused"}\n');
    await appendFile(store.paths(ID).events, gained);
    expect(await watch.check()).toEqual([]);
    expect(read.reduce((sum, r) => sum + r.bytes, 0)).toBe(Buffer.byteLength(gained));
  });
});
