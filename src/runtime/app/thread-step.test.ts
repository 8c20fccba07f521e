import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord, task } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import type { AppDeps } from './deps.js';
import { goalView } from './queries.js';
import { type ThreadGoalCommand, threadGoalStep, threadStepPlan } from './thread-step.js';

const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;
const goal = goalRecord();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-step-'));
  store = localGoalStore(root, { host });
  await store.create({ ...goal, status: 'planned' });
  const graph = {
    version: 1,
    goalId: goal.id,
    planner: { name: 'test', version: '1' },
    tasks: [task()],
    rejected: [],
  };
  await writeFile(store.paths(goal.id).taskGraph, JSON.stringify(graph));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const noApp = (): AppDeps => {
  throw new Error('this step needs no forge');
};
const step = (command: ThreadGoalCommand, options: { inPlace?: boolean; executesHere?: boolean } = {}) =>
  threadGoalStep({
    goalId: goal.id,
    command,
    store,
    inPlace: options.inPlace ?? false,
    executesHere: options.executesHere ?? true,
    app: noApp,
    fallbackBase: 'main',
  });

describe('threadStepPlan', () => {
  it('reads queries in place, refuses delivery while a run is here, and waits for control to change a goal', () => {
    expect(threadStepPlan({ kind: 'status' })).toEqual({
      verb: 'status',
      needs: { checkout: 'state', saves: false },
      whileRunning: 'in_place',
      refresh: 'always',
    });
    expect(threadStepPlan({ kind: 'proof' })).toMatchObject({ whileRunning: 'in_place', refresh: 'never' });
    expect(threadStepPlan({ kind: 'budget', add: null })).toMatchObject({ verb: 'budget', refresh: 'never' });
    const add = threadStepPlan({ kind: 'budget', add: { time: 60_000 } });
    expect(add).toMatchObject({ verb: 'budget-add', needs: { saves: true }, whileRunning: 'in_place' });
    expect(threadStepPlan({ kind: 'open-pr' })).toEqual({
      verb: 'open-pr',
      needs: { checkout: 'full', saves: true },
      whileRunning: 'refused',
      refresh: 'shared',
    });
    expect(threadStepPlan({ kind: 'merge' })).toMatchObject({ whileRunning: 'refused', refresh: 'shared' });
    for (const command of [
      { kind: 'pause' },
      { kind: 'resume' },
      { kind: 'cancel', reason: '' },
      { kind: 'accept', summary: 'ok' },
      { kind: 'reject', reason: 'no' },
    ] as const) {
      expect(threadStepPlan(command)).toMatchObject({
        verb: command.kind,
        whileRunning: 'after_control',
        refresh: 'shared',
      });
    }
  });
});

describe('threadGoalStep', () => {
  it('pauses, then resumes a planned goal with a start here or by dispatch, and none in place', async () => {
    const paused = await step({ kind: 'pause' });
    expect(paused).toMatchObject({ kind: 'transition', followUp: 'none' });
    expect(paused.kind === 'transition' && paused.result.goal.status).toBe('paused');
    expect(await step({ kind: 'resume' })).toMatchObject({ kind: 'transition', followUp: 'execute_here' });
    await step({ kind: 'pause' });
    expect(await step({ kind: 'resume' }, { executesHere: false })).toMatchObject({ followUp: 'dispatch' });
    await step({ kind: 'pause' });
    expect(await step({ kind: 'resume' }, { inPlace: true })).toMatchObject({ followUp: 'none' });
  });

  it('records the reason of a cancel', async () => {
    const cancelled = await step({ kind: 'cancel', reason: 'wrong goal' });
    expect(cancelled.kind === 'transition' && cancelled.result.goal.status).toBe('cancelled');
  });

  it('shows the budget, and extends it when asked', async () => {
    const shown = await step({ kind: 'budget', add: null });
    expect(shown.kind === 'budget' && shown.view.limits.timeMs).toBe(600_000);
    const added = await step({ kind: 'budget', add: { time: 60_000 } });
    expect(added.kind === 'budget' && added.view.limits.timeMs).toBe(660_000);
  });

  it('answers a status or proof from the state alone', async () => {
    expect(await step({ kind: 'status' })).toEqual({ kind: 'status' });
    const { proof } = await goalView(store, goal.id);
    expect(proof).not.toBeNull();
    expect(await step({ kind: 'proof' })).toMatchObject({ kind: 'proof', proof: { status: proof?.status } });
  });
});
