import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import { watchStateRoot } from './state-root.js';

const OWN = '20260102-own-goal';
const OTHER = '20260101-other-goal';
const DEAD = 999_999_999;
const host = {
  pid: process.pid,
  hostname: 'test',
  isAlive: (pid: number) => pid === process.pid,
  killGroup: () => false,
};
const event = (seq: number, type: string) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: {} })}\n`;
const lock = (pid: number) =>
  `${JSON.stringify({ pid, host: 'test', acquiredAt: '2026-01-01T00:00:00.000Z', token: 't' })}\n`;

let root: string;
let store: GoalStore;
const integrity = { stateTree };
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

  it('takes a lock or a temp file of a live omk process, or one gone again, as omk’s; one naming a dead process is named', async () => {
    await writeFile(at(OTHER, '.lock'), lock(process.pid));
    const state = await watch();
    await rm(at(OTHER, '.lock'));
    await writeFile(at(OWN, '.lock'), lock(process.pid));
    await writeFile(at(OWN, `.goal.json.${process.pid}.0123abcd.tmp`), '{');
    await writeFile(at(OTHER, `.goal.json.${DEAD}.0123abcd.tmp`), '{');
    await writeFile(join(root, 'forge', 'local-repo', '.lock'), lock(DEAD));
    expect(await state.check()).toEqual([
      { what: `goal ${OTHER} .goal.json.${DEAD}.0123abcd.tmp`, change: 'added' },
      { what: 'forge/local-repo/.lock', change: 'added' },
    ]);
  });

  it('reads a lock being created (empty for a moment) again until it names its holder', async () => {
    const state = await watch();
    await writeFile(at(OWN, '.lock'), '');
    const written = new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
      writeFile(at(OWN, '.lock'), lock(process.pid)),
    );
    expect(await state.check()).toEqual([]);
    await written;
  });

  it('takes a new goal holding a goal record as another omk’s creation; a bare directory is named', async () => {
    const state = await watch();
    const created = '20260103-created';
    await mkdir(join(root, 'goals', created));
    await writeFile(at(created, 'goal.json'), `${JSON.stringify({ ...goalRecord(), id: created })}\n`);
    await mkdir(join(root, 'goals', '20260104-bare'));
    await writeFile(at('20260104-bare', 'proof.json'), '{"status":"ready"}\n');
    expect(await state.check()).toEqual([{ what: 'goal 20260104-bare', change: 'added' }]);
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
