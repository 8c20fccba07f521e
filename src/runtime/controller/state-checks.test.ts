import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { dirNames, stateTree } from '../../adapters/integrity/state-tree.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import { watchState } from './state-checks.js';

const GOAL = '20260102-own-goal';
const host = {
  pid: process.pid,
  hostname: 'test',
  isAlive: (pid: number) => pid === process.pid,
  killGroup: () => false,
};

let root: string;
let store: GoalStore;
const journal = { goalId: GOAL, addStateGaps: () => {} };
const goalFile = (name: string) => join(root, 'goals', GOAL, name);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-state-checks-'));
  store = localGoalStore(root, { host });
  await mkdir(join(root, 'goals', GOAL, 'artifacts', 'gates'), { recursive: true });
  await writeFile(
    goalFile('goal.json'),
    `${JSON.stringify({ ...goalRecord(), id: GOAL, status: 'running' })}\n`,
  );
  await writeFile(
    goalFile('events.jsonl'),
    `${JSON.stringify({ v: 1, seq: 1, ts: '2026-01-01T00:00:00.000Z', type: 'goal_created', data: {} })}\n`,
  );
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const watch = (what: string) =>
  watchState({ store, integrity: { stateTree, dirNames }, home: null }, journal, what);
const named = (findings: readonly { message: string }[]) =>
  findings.map((finding) => finding.message).join('\n');

describe('watchState', () => {
  it('names an artifact no run of the goal wrote, when no other run is in flight', async () => {
    const run = await watch('the agent of s1');
    await writeFile(goalFile('artifacts/gates/test.log'), 'all passed\n');
    expect(named(await run.check())).toContain('artifacts/gates/test.log');
  });

  it('lets an overlapping run of the same goal write its artifacts unnamed', async () => {
    const other = await watch('the agent of s1');
    const run = await watch('the agent of s2');
    await writeFile(goalFile('artifacts/gates/test.log'), 'all passed\n');
    expect(named(await run.check())).not.toContain('artifacts/gates/test.log');
    other.end();
  });

  it('a run that ended without its check (it threw) overlaps no later run', async () => {
    const threw = await watch('the agent of s1');
    threw.end();
    const run = await watch('the agent of s2');
    await writeFile(goalFile('artifacts/gates/test.log'), 'all passed\n');
    expect(named(await run.check())).toContain('artifacts/gates/test.log');
  });
});
