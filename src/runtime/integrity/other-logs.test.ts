import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { localStateFiles } from '../../adapters/state/local-files.js';
import type { FileRange, StateFiles } from '../state/port.js';
import { OtherLogs, typesGainedSince } from './other-logs.js';

const line = (seq: number, type: string) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: { note: 'x'.repeat(200) } })}\n`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let dir: string;
let path: string;
/** Every range read of the log: where it started. */
let reads: number[];
const files: StateFiles = {
  ...localStateFiles,
  readRange(at: string, start: number, maxBytes: number): Promise<FileRange | null> {
    if (at === path) reads.push(start);
    return localStateFiles.readRange(at, start, maxBytes);
  },
};
const entry = async () => (await stateTree(dir, [])).get('events.jsonl');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-other-logs-'));
  path = join(dir, 'events.jsonl');
  reads = [];
  let text = '';
  for (let seq = 1; seq <= 100; seq++) text += line(seq, 'agent_progress');
  await writeFile(path, text);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("another goal's log, marked before each run", () => {
  it('is read once while it does not change, then only from its known end when it grows', async () => {
    const logs = new OtherLogs(files);
    const first = await logs.mark(path, await entry());
    expect(reads).toEqual([0]);
    expect(await logs.mark(path, await entry())).toEqual(first);
    expect(reads).toEqual([0]);
    await appendFile(path, `${line(101, 'goal_paused')}{"v":1,"seq":102`);
    const grown = await logs.mark(path, await entry());
    expect(reads.length).toBe(2);
    expect(reads[1]).toBeGreaterThan(first.length - 5000);
    // The same mark as a whole read gives: whole lines only, the one being written left out.
    const text = await readFile(path, 'utf8');
    const lines = text.slice(0, text.lastIndexOf('\n') + 1);
    expect(grown).toEqual({ length: Buffer.byteLength(lines), digest: sha(lines) });
  });

  it('is read whole again when a line it knew changed in place, or the file was replaced', async () => {
    const logs = new OtherLogs(files);
    await logs.mark(path, await entry());
    const text = (await readFile(path, 'utf8')).replace('"seq":100,', '"seq":1000');
    await writeFile(path, text);
    expect(await logs.mark(path, await entry())).toEqual({
      length: Buffer.byteLength(text),
      digest: sha(text),
    });
    expect(reads.at(-1)).toBe(0);
    await writeFile(join(dir, 'next'), `${text}${line(101, 'goal_paused')}`);
    await rename(join(dir, 'next'), path);
    const replaced = `${text}${line(101, 'goal_paused')}`;
    expect(await logs.mark(path, await entry())).toEqual({
      length: Buffer.byteLength(replaced),
      digest: sha(replaced),
    });
    expect(reads.at(-1)).toBe(0);
  });

  it("after the run: what it gained is read as events; a changed line of the mark's part is null", async () => {
    const logs = new OtherLogs(files);
    const mark = await logs.mark(path, await entry());
    await appendFile(path, line(101, 'goal_accepted'));
    expect(await typesGainedSince(files, path, mark)).toEqual(['goal_accepted']);
    const text = await readFile(path, 'utf8');
    // The same size, one type changed: only the digest tells.
    await writeFile(path, text.replace('"type":"agent_progress"', '"type":"agent_pr0gress"'));
    expect(await typesGainedSince(files, path, mark)).toBeNull();
  });
});
