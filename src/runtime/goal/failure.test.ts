import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { GOAL_ID, goalRecord, notReadyProof } from '../delivery/test-delivery.js';
import { writeJsonAtomic } from '../state/versioned.js';
import { catchUpFailureRecord } from './failure.js';
import { goalStatus } from './queries.js';
import type { GoalStatus } from './schema.js';
import type { GoalStore } from './store.js';

const clock = { nowMs: () => 0, nowIso: () => '2026-01-01T00:00:00.000Z' };
const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-failure-'));
  store = localGoalStore(root, { clock, host });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A goal as a process killed after goal.json said `status` and before failure.json was written leaves it. */
async function settledWithoutFailureRecord(status: GoalStatus) {
  const paths = store.paths(GOAL_ID);
  await mkdir(paths.dir, { recursive: true });
  await writeJsonAtomic(localStateFiles, paths.goal, { ...goalRecord(), status });
  const proof = notReadyProof();
  await writeJsonAtomic(localStateFiles, paths.proof, {
    ...proof,
    status: 'failed',
    failures: [{ code: 'slice_failed', message: 'slice s1 failed after 3 attempts', evidence: 'tasks/s1' }],
  });
  return paths;
}

describe('a failed goal killed before its failure.json was written', () => {
  it('gets it from the next goal status, with the proof’s reason, once', async () => {
    const paths = await settledWithoutFailureRecord('failed');
    await goalStatus(store, GOAL_ID);
    const failure = JSON.parse(await readFile(paths.failure, 'utf8')) as Record<string, unknown>;
    expect(failure).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^slice s1 failed after 3 attempts;/),
    });
    expect(await catchUpFailureRecord(store, { id: GOAL_ID, status: 'failed' })).toBe(false);
  });

  it('writes none for a goal that is not failed', async () => {
    const paths = await settledWithoutFailureRecord('not_ready');
    await goalStatus(store, GOAL_ID);
    expect(await localStateFiles.exists(paths.failure)).toBe(false);
  });
});
