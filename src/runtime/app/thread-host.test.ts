import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { BusyError } from '../errors.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { createGoalRequestSchema } from '../requests.js';
import { type FakeThreadHost, type FakeThreadHostOptions, fakeThreadHost } from './test-thread-host.js';
import { commandOnThread } from './thread-command.js';
import { onSharedGoal } from './thread-host.js';
import { executeStepPlan, fixStepPlan, mergeCheckStepPlan } from './thread-job.js';
import { checkMergeOnThread } from './thread-merge.js';
import { continueOnThread, startOnThread } from './thread-run.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-host-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A thread host over this test's store, its state branch holding `goals` (null: no branch). */
function fakeHost(goals: GoalRecord[] | null, options: FakeThreadHostOptions = {}): FakeThreadHost {
  return fakeThreadHost(root, store, () => testApp(store), goals, options);
}

describe('onSharedGoal', () => {
  it('holds the lock for the whole step: checkout, pull, branches, act and push', async () => {
    const goal = goalRecord();
    const { host, log } = fakeHost([goal]);
    const step = await onSharedGoal(host, goal.id, fixStepPlan(goal.id, 7), async () => {
      log.push('act');
      return 1;
    });
    expect(step).toMatchObject({ kind: 'done', value: 1, saved: 'b'.repeat(40) });
    expect(log).toEqual([
      'lock',
      'checkout full',
      'pull',
      'branches',
      'act',
      `push omk: fix for PR #7 of goal ${goal.id}`,
      'unlock',
    ]);
  });

  it('runs a goal unlocked between its pull and its push, and it stops running here in its push, failed too', async () => {
    const goal = goalRecord();
    const { host, log } = fakeHost([goal]);
    host.runs.set(goal.id, { store });
    const run = onSharedGoal(host, goal.id, executeStepPlan(goal.id), async () => {
      log.push('act');
      expect(host.runs.has(goal.id)).toBe(true);
      throw new Error('agent crashed');
    });
    await expect(run).rejects.toThrow('agent crashed');
    expect(log).toEqual([
      'checkout full',
      'lock',
      'pull',
      'unlock',
      'branches',
      'act',
      'lock',
      `push omk: goal ${goal.id} after execution (failed)`,
      'unlock',
    ]);
    expect(host.runs.has(goal.id)).toBe(false);
  });

  it('refuses a goal that is not on the state branch with a value, pushing nothing', async () => {
    const { host, log } = fakeHost(null);
    const step = await onSharedGoal(host, 'g-missing', mergeCheckStepPlan('g-missing'), async () => {
      throw new Error('not reached');
    });
    expect(step).toEqual({ kind: 'not_shared', goalId: 'g-missing', missing: 'branch' });
    expect(log.some((line) => line.startsWith('push'))).toBe(false);
  });
});

describe('checkMergeOnThread', () => {
  const method = async () => 'squash' as const;

  it('leaves a goal running here to its run, and says when the goal is not shared', async () => {
    const goal = goalRecord();
    const running = fakeHost([goal]);
    running.host.runs.set(goal.id, { store });
    expect(await checkMergeOnThread(running.host, { goalId: goal.id, method })).toEqual({
      kind: 'running_here',
    });
    expect(running.log).toEqual([]);
    const missing = fakeHost(null);
    expect(await checkMergeOnThread(missing.host, { goalId: goal.id, method })).toEqual({
      kind: 'not_shared',
    });
  });

  it('evaluates nothing for a goal that is not ready: nothing pushed, nobody told', async () => {
    const goal = goalRecord();
    const { host, log, shown } = fakeHost([goal]);
    expect(await checkMergeOnThread(host, { goalId: goal.id, method })).toEqual({
      kind: 'not_evaluated',
      why: 'not_ready',
      detail: 'goal is not_ready',
    });
    expect(log.some((line) => line.startsWith('push'))).toBe(false);
    expect(shown).toEqual([]);
  });
});

describe('commandOnThread', () => {
  const GOAL = goalRecord();
  const request = (goalId: string, command: Parameters<typeof commandOnThread>[1]['command']) => ({
    goalId,
    command,
    method: async () => 'merge' as const,
    agent: undefined,
    fallbackBase: 'main',
  });

  it('refuses to merge or open PRs of a goal running here (a BusyError), before any checkout', async () => {
    const goal = goalRecord();
    const { host, log } = fakeHost([goal]);
    host.runs.set(goal.id, { store });
    await expect(commandOnThread(host, request(goal.id, { kind: 'merge' }))).rejects.toBeInstanceOf(
      BusyError,
    );
    await expect(commandOnThread(host, request(goal.id, { kind: 'open-pr' }))).rejects.toBeInstanceOf(
      BusyError,
    );
    expect(log).toEqual([]);
  });

  it("takes a status in place on a run here, under the goal's lock, and shows it running", async () => {
    const goal = goalRecord();
    await store.create(goal);
    const { host, log, shown } = fakeHost([goal]);
    host.runs.set(goal.id, { store });
    expect(await commandOnThread(host, request(goal.id, { kind: 'status' }))).toEqual({
      kind: 'done',
      result: { kind: 'status' },
    });
    expect(log).toEqual(['lock', 'unlock']);
    expect(shown.map((entry) => entry.phase)).toEqual(['running']);
  });

  it('pauses a goal on the state branch, pushes it and shows it settled; a goal not there is a value', async () => {
    const goal = { ...goalRecord(), status: 'running' as const };
    const { host, log, shown } = fakeHost([goal]);
    const done = await commandOnThread(host, request(goal.id, { kind: 'pause' }));
    expect(done).toMatchObject({ kind: 'done', result: { kind: 'transition', followUp: 'none' } });
    expect(log).toContain(`push omk: pause goal ${goal.id}`);
    expect(shown.map((entry) => entry.phase)).toEqual(['settled']);
    expect(await commandOnThread(fakeHost(null).host, request(goal.id, { kind: 'pause' }))).toEqual({
      kind: 'not_shared',
    });
  });
  /** The goal as the state branch has it, `status` and all; the store holds no copy of it yet. */
  const onStateBranch = async (status: GoalRecord['status'], resumeTo: GoalRecord['resumeTo'] = null) => {
    const goal = { ...goalRecord(), status, resumeTo };
    if (await store.has(goal.id)) await store.discard(goal.id);
    return goal;
  };

  it('keeps a goal the workflow was dispatched for shown dispatched while it is planned or running there', async () => {
    for (const status of ['planned', 'running'] as const) {
      const goal = await onStateBranch(status);
      const dispatched = fakeHost([goal], { executesHere: false, phase: 'dispatched' });
      await commandOnThread(dispatched.host, request(goal.id, { kind: 'status' }));
      expect(
        dispatched.shown.map((entry) => entry.phase),
        status,
      ).toEqual(['dispatched']);
    }
    // Never dispatched (its dispatch failed: the status still says planning), or run here: settled.
    const planning = fakeHost([await onStateBranch('planned')], { executesHere: false, phase: 'planning' });
    await commandOnThread(planning.host, request(GOAL.id, { kind: 'status' }));
    const here = fakeHost([await onStateBranch('planned')], { executesHere: true, phase: 'dispatched' });
    await commandOnThread(here.host, request(GOAL.id, { kind: 'status' }));
    expect([...planning.shown, ...here.shown].map((entry) => entry.phase)).toEqual(['settled', 'settled']);
  });

  it('shows a goal that left the workflow settled, and a resume that dispatches it again dispatched', async () => {
    const after = fakeHost([await onStateBranch('ready')], { executesHere: false, phase: 'dispatched' });
    await commandOnThread(after.host, request(GOAL.id, { kind: 'status' }));
    expect(after.shown.map((entry) => entry.phase)).toEqual(['settled']);
    const resumed = fakeHost([await onStateBranch('paused', 'planned')], {
      executesHere: false,
      phase: 'settled',
    });
    const done = await commandOnThread(resumed.host, request(GOAL.id, { kind: 'resume' }));
    expect(done).toMatchObject({ kind: 'done', result: { kind: 'transition', followUp: 'dispatch' } });
    expect(resumed.shown.map((entry) => entry.phase)).toEqual(['dispatched']);
  });
});

describe('startOnThread and continueOnThread', () => {
  const create = createGoalRequestSchema.parse({
    goal: 'Fix the crash',
    rawGoal: 'Fix the crash',
    repo: '.',
    policy: 'draft-pr',
    idSuffix: 'abc123abc123',
  });
  const start = {
    create,
    origin: { repo: 'acme/app', issue: 4, commentId: 9, login: 'alice' },
    agent: undefined,
    method: async () => 'merge' as const,
    fallbackBase: 'main',
    replies: { reply: async () => {} },
  };

  it('starts nothing twice: a goal already dispatched, or already past the queue, is left alone', async () => {
    const dispatched = fakeHost([], { executesHere: false, phase: 'dispatched' });
    expect(await startOnThread(dispatched.host, start)).toBe('already_taken');
    expect(dispatched.log).toEqual(['lock', 'unlock']);
    const running = fakeHost([], { phase: 'running' });
    expect(await startOnThread(running.host, start)).toBe('already_taken');
    expect(running.shown).toEqual([]);
  });

  it('queues a run here after showing it queued; a full queue is busy', async () => {
    const full = fakeHost([], { queue: 'full' });
    expect(await startOnThread(full.host, start)).toBe('busy');
    expect(full.shown.map((entry) => entry.phase)).toEqual(['queued']);
    expect(full.log.filter((line) => line.startsWith('queue'))).toHaveLength(1);
    expect(full.log).not.toContain('checkout full');
  });

  it('continues a resumed goal by dispatching the workflow or queueing a run here', async () => {
    const { host, log } = fakeHost([]);
    expect(await continueOnThread(host, 'g1', 'dispatch', start)).toBe('dispatched');
    expect(await continueOnThread(host, 'g1', 'execute_here', start)).toBe('continuing');
    expect(await continueOnThread(host, 'g1', 'none', start)).toBe('none');
    expect(log).toEqual(['dispatch g1', 'queue run:g1']);
    const full = fakeHost([], { queue: 'full' });
    expect(await continueOnThread(full.host, 'g1', 'execute_here', start)).toBe('busy');
  });
});
