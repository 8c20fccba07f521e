import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeJsonAtomic } from '../../adapters/state/atomic.js';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { emptyExecution, sliceRecord, withSlice, writeExecution } from '../controller/execution-state.js';
import { goalRecord, task as taskFixture } from '../delivery/test-delivery.js';
import { EventLog } from '../events/log.js';
import type { GoalStore } from '../goal/store.js';
import { hudSnapshot } from './hud.js';

const NOW = Date.parse('2026-12-05T10:00:00.000Z');
const clock = { nowMs: () => NOW, nowIso: () => new Date(NOW).toISOString() };
const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-hud-'));
  store = localGoalStore(root, { clock, host });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('hudSnapshot', () => {
  it('times a running agent from execution.json, even before its agent_started event is in the log', async () => {
    const goal = { ...goalRecord(), status: 'running' as const };
    await store.create(goal);
    const paths = store.paths(goal.id);
    const slice = taskFixture({ status: 'running', attempts: 2 });
    await writeJsonAtomic(paths.taskGraph, {
      version: 1,
      goalId: goal.id,
      planner: { name: 'test', version: '1' },
      tasks: [slice],
      rejected: [],
    });
    // The log holds only attempt 1's start, ten minutes ago; attempt 2 started 3 s ago and its
    // event is not appended yet (execution.json is written first).
    const old = new EventLog(localStateFiles, paths.events, {
      nowMs: () => NOW - 600_000,
      nowIso: () => '2026-12-05T09:50:00.000Z',
    });
    await old.append([{ type: 'agent_started', data: { taskId: slice.id, attempt: 1, pid: 10 } }]);
    const execution = emptyExecution();
    await writeExecution(
      localStateFiles,
      paths.execution,
      withSlice(execution, {
        ...sliceRecord(execution, slice.id),
        agentProcess: { pid: 11, host: 'test', startedAt: new Date(NOW - 3000).toISOString(), attempt: 2 },
      }),
    );

    const [shown] = (await hudSnapshot(store, { goalId: goal.id })).goals;
    expect(shown?.workers).toEqual([
      {
        slice: slice.id,
        pid: 11,
        host: 'test',
        attempt: 2,
        startedAt: '2026-12-05T09:59:57.000Z',
        elapsedMs: 3000,
      },
    ]);
    expect(shown?.tasks.running).toBe(1);
  });
});
