import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { dirNames, stateTree } from '../../adapters/integrity/state-tree.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import { watchStateRoot } from './state-root.js';

const OWN = '20260102-own-goal';
const OTHER = '20260101-other-goal';
const DEAD = 999_999_999;
/** A live omk process other than this one (the host vouches for it: `HostInfo.isOtherOmk`). */
const OTHER_OMK = 4242;
/** A live process that is no omk (pid 1, a daemon), or a descendant of this one (an agent's). */
const NOT_OMK = 4343;
const host = {
  pid: process.pid,
  hostname: 'test',
  isAlive: (pid: number) => pid === process.pid || pid === OTHER_OMK || pid === NOT_OMK,
  isOtherOmk: (pid: number) => pid === OTHER_OMK,
  killGroup: () => false,
};
const event = (seq: number, type: string) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: {} })}\n`;
const lock = (pid: number) =>
  `${JSON.stringify({ pid, host: 'test', acquiredAt: '2026-01-01T00:00:00.000Z', token: 't' })}\n`;

let root: string;
let store: GoalStore;
const integrity = { stateTree, dirNames };
const at = (id: string, name: string) => join(root, 'goals', id, name);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-state-root-'));
  store = localGoalStore(root, { host });
  for (const id of [OWN, OTHER]) {
    await mkdir(join(root, 'goals', id, 'artifacts', 'gates'), { recursive: true });
    await writeFile(at(id, 'goal.json'), `${JSON.stringify({ ...goalRecord(), id, status: 'ready' })}\n`);
    await writeFile(at(id, 'events.jsonl'), event(1, 'goal_created'));
    await writeFile(at(id, 'prd.md'), '# The goal\n');
  }
  await mkdir(join(root, 'forge', 'local-repo'), { recursive: true });
  await writeFile(
    join(root, 'forge', 'local-repo', 'forge.json'),
    '{"version":1,"pulls":[],"checkRuns":[]}\n',
  );
  await mkdir(join(root, 'worktrees', OWN, 's1'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const watch = () => watchStateRoot(store, integrity, OWN);

describe('the state root around a run', () => {
  it('names every file omk did not write: its own goal, another goal, the forge, private/, the root', async () => {
    const state = await watch();
    await writeFile(at(OWN, 'delivery.json'), '{}\n');
    await writeFile(at(OWN, 'artifacts/gates/test.log'), 'all passed\n');
    await appendFile(at(OTHER, 'prd.md'), 'No tests needed.\n');
    await writeFile(at(OTHER, 'dropped.sh'), 'true\n');
    await writeFile(join(root, 'forge', 'local-repo', 'forge.json'), '{}\n');
    await mkdir(join(root, 'private', 'credentials'), { recursive: true });
    await writeFile(join(root, 'private', 'credentials', 'repo.json'), '{}\n');
    // The worktrees (the agent's own) are not the state's: not compared.
    await writeFile(join(root, 'worktrees', OWN, 's1', 'file.js'), '1\n');
    expect(await state.check()).toEqual([
      { what: `goal ${OTHER} dropped.sh`, change: 'added' },
      { what: `goal ${OTHER} prd.md`, change: 'changed' },
      { what: 'artifacts/gates/test.log', change: 'added', own: true },
      { what: 'delivery.json', change: 'added', own: true },
      { what: 'forge.json of the local forge', change: 'changed' },
      { what: 'private/credentials/repo.json', change: 'added' },
    ]);
  });

  it("leaves its own goal's evidence to the controller's checks, and names nothing when nothing changed", async () => {
    const state = await watch();
    await appendFile(at(OWN, 'events.jsonl'), event(2, 'slice_started'));
    await writeFile(at(OWN, 'execution.json'), '{}\n');
    await writeFile(at(OWN, 'proof.json'), '{}\n');
    expect(await state.check()).toEqual([]);
  });

  it("leaves the toolchains' caches alone only in a state root that is omk's HOME too", async () => {
    await mkdir(join(root, '.npm', '_logs'), { recursive: true });
    const asHome = await watchStateRoot(store, integrity, OWN, root);
    const apart = await watch();
    await writeFile(join(root, '.npm', '_logs', 'debug-0.log'), 'npm ci\n');
    expect(await asHome.check()).toEqual([]);
    expect(await apart.check()).toEqual([{ what: '.npm/_logs/debug-0.log', change: 'added' }]);
  });

  it("takes the test report a gate's runner writes where omk asked as omk's, not another file beside it", async () => {
    await writeFile(at(OWN, 'artifacts/gates/0123456789ab-test-2.json'), '');
    const state = await watch();
    // Added by pytest's --junitxml, filled in by Jest's --outputFile (confined, omk leaves it empty).
    await writeFile(at(OWN, 'artifacts/gates/0123456789ab-test-1.xml'), '<testsuites/>\n');
    await writeFile(at(OWN, 'artifacts/gates/0123456789ab-test-2.json'), '{"testResults":[]}\n');
    await writeFile(at(OWN, 'artifacts/gates/report.xml'), '<testsuites/>\n');
    expect(await state.check()).toEqual([{ what: 'artifacts/gates/report.xml', change: 'added', own: true }]);
  });

  it("takes another omk command's writes with its event as omk's, not a line no command appends", async () => {
    const state = await watch();
    await appendFile(at(OTHER, 'events.jsonl'), event(2, 'goal_paused') + event(3, 'proof_built'));
    await writeFile(
      at(OTHER, 'goal.json'),
      `${JSON.stringify({ ...goalRecord(), id: OTHER, status: 'paused' })}\n`,
    );
    await writeFile(at(OTHER, 'proof.json'), '{}\n');
    await writeFile(at(OTHER, '.seals.jsonl'), '{}\n');
    expect(await state.check()).toEqual([]);
    const next = await watch();
    await appendFile(at(OTHER, 'events.jsonl'), event(4, 'gates_verified'));
    await writeFile(
      at(OTHER, 'goal.json'),
      `${JSON.stringify({ ...goalRecord(), id: OTHER, status: 'ready' })}\n`,
    );
    expect(await next.check()).toEqual([
      { what: `goal ${OTHER} events.jsonl`, change: 'changed' },
      { what: `goal ${OTHER} goal.json`, change: 'changed' },
    ]);
  });

  it('takes a lock of another live omk process, one this process holds, a live temp file, or one gone again, as omk’s; a lock naming a dead process, this omk, or a live process that is no other omk is named', async () => {
    await writeFile(at(OTHER, '.lock'), lock(OTHER_OMK));
    const state = await watch();
    await rm(at(OTHER, '.lock'));
    await writeFile(at(OWN, `.goal.json.${process.pid}.0123abcd.tmp`), '{');
    await writeFile(at(OTHER, `.goal.json.${DEAD}.0123abcd.tmp`), '{');
    await writeFile(join(root, 'forge', 'local-repo', '.lock'), lock(DEAD));
    await mkdir(join(root, 'goals', '20260105-a'));
    await writeFile(at('20260105-a', '.lock'), lock(process.pid));
    await mkdir(join(root, 'private'));
    await writeFile(join(root, 'private', '.lock'), lock(NOT_OMK));
    // The goal's own lock, held by this process while the check looks.
    const found = await store.withGoalLock(OWN, () => state.check());
    expect(found).toEqual([
      { what: `goal ${OTHER} .goal.json.${DEAD}.0123abcd.tmp`, change: 'added' },
      { what: 'goal 20260105-a (made by no omk process; omk set it aside)', change: 'added' },
      { what: 'forge/local-repo/.lock', change: 'added' },
      { what: 'private/.lock', change: 'added' },
    ]);
    const next = await watch();
    await writeFile(at(OTHER, '.lock'), lock(OTHER_OMK));
    expect(await next.check()).toEqual([]);
  });

  it('reads a lock being created (empty for a moment) again until it names its holder', async () => {
    const state = await watch();
    await writeFile(at(OWN, '.lock'), '');
    const written = new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
      writeFile(at(OWN, '.lock'), lock(OTHER_OMK)),
    );
    expect(await state.check()).toEqual([]);
    await written;
  });

  it('takes a new goal made by this process or by another live omk as omk’s; one naming this omk or no omk as its creator, or a bare directory, is named and set aside', async () => {
    const state = await watch();
    const record = (id: string) => `${JSON.stringify({ ...goalRecord(), id })}\n`;
    const creator = (pid: number) => `${JSON.stringify({ pid, host: 'test' })}\n`;
    await store.create({ ...goalRecord(), id: '20260103-here' });
    for (const [id, pid] of [
      ['20260103-other-omk', OTHER_OMK],
      ['20260104-names-this-omk', process.pid],
      ['20260104-names-no-omk', NOT_OMK],
    ] as const) {
      await mkdir(join(root, 'goals', id));
      await writeFile(at(id, 'creator.json'), creator(pid));
      await writeFile(at(id, 'goal.json'), record(id));
    }
    await mkdir(join(root, 'goals', '20260104-bare'));
    await writeFile(at('20260104-bare', 'proof.json'), '{"status":"ready"}\n');
    const aside = (id: string) => ({
      what: `goal ${id} (made by no omk process; omk set it aside)`,
      change: 'added',
    });
    expect(await state.check()).toEqual([
      aside('20260104-bare'),
      aside('20260104-names-no-omk'),
      aside('20260104-names-this-omk'),
    ]);
    // Set aside: never listed, never the latest, refused by its id.
    const listed = (await store.list()).map((goal) => goal.id);
    expect(listed).toContain('20260103-other-omk');
    expect(listed).not.toContain('20260104-names-this-omk');
    expect(await store.resolve('latest')).toBe('20260103-other-omk');
    await expect(store.resolve('20260104-names-no-omk')).rejects.toThrow(
      /Goal 20260104-names-no-omk is set aside: it appeared in omk's state root while an agent or gates of goal 20260102-own-goal ran/,
    );
  });

  it("takes its own failure.json as a cancel's only when its log gained a goal_cancelled line", async () => {
    const state = await watch();
    await writeFile(at(OWN, 'failure.json'), '{"status":"cancelled"}\n');
    expect(await state.check()).toEqual([{ what: 'failure.json', change: 'added', own: true }]);
    const next = await watch();
    await writeFile(at(OWN, 'failure.json'), '{"status":"cancelled","reason":"by a user"}\n');
    await appendFile(at(OWN, 'events.jsonl'), event(2, 'goal_cancelled'));
    expect(await next.check()).toEqual([]);
  });

  it("takes the forge's records as a delivery's when another goal's log gained a delivery event", async () => {
    const state = await watch();
    await appendFile(at(OTHER, 'events.jsonl'), event(2, 'pr_opened'));
    await writeFile(join(root, 'forge', 'local-repo', 'forge.json'), '{"version":1,"pulls":[{}]}\n');
    expect(await state.check()).toEqual([]);
  });
});
