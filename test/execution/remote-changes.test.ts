import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { StateError } from '../../src/runtime/errors.js';
import { EventLog } from '../../src/runtime/events/log.js';
import {
  adoptRemoteChanges,
  budgetIncrease,
  watchRemoteChanges,
} from '../../src/runtime/goal/remote-changes.js';
import type { GoalRecord, GoalStatus } from '../../src/runtime/goal/schema.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { systemClock } from '../../src/runtime/ports.js';
import { type PlannedGoal, plannedDemoGoal } from '../helpers/planned-goal.js';

let planned: PlannedGoal<GoalStore>;
let store: GoalStore;
let goal: GoalRecord;

beforeEach(async () => {
  planned = await plannedDemoGoal((deps) => new GoalStore(deps));
  store = planned.store;
  goal = planned.goal;
});
afterEach(async () => {
  await planned.cleanup();
});

/** Sets the local goal's status as a controller would. */
async function setLocal(status: GoalStatus): Promise<void> {
  await store.withGoalLock(goal.id, async () => {
    const current = await store.read(goal.id);
    await store.write({ ...current, status });
  });
}

/** A remote whose copy of the goal has `status` (and, when cancelled, this failure reason). */
function remoteWith(status: GoalStatus | null, reason = 'wrong approach', budget = goal.budget) {
  const files: Record<string, string> = {};
  if (status !== null)
    files['goal.json'] = JSON.stringify({ ...goal, status, budget, revision: goal.revision + 1 });
  if (status === 'cancelled')
    files['failure.json'] = JSON.stringify({
      version: 1,
      status: 'cancelled',
      at: goal.createdAt,
      reason,
      humanDecisions: [],
    });
  const asked: string[] = [];
  return {
    asked,
    peek: async (goalId: string, file: string) => {
      asked.push(`${goalId}/${file}`);
      return files[file] ?? null;
    },
  };
}

async function eventTypes(): Promise<string[]> {
  return (await new EventLog(localStateFiles, store.paths(goal.id).events, systemClock).read()).events.map(
    (e) => e.type,
  );
}

describe('adoptRemoteChanges: pause and cancel', () => {
  it('pauses the local goal of a running controller when the state branch says paused', async () => {
    await setLocal('running');
    expect((await adoptRemoteChanges(store, remoteWith('paused'), goal.id)).stop).toBe('pause');
    const local = await store.read(goal.id);
    expect(local.status).toBe('paused');
    expect(local.resumeTo).toBe('running');
    expect(await eventTypes()).toContain('goal_paused');
  });

  it('cancels it with the reason given on the state branch', async () => {
    await setLocal('running');
    expect((await adoptRemoteChanges(store, remoteWith('cancelled', 'wrong approach'), goal.id)).stop).toBe(
      'cancel',
    );
    expect((await store.read(goal.id)).status).toBe('cancelled');
    const failure = JSON.parse(await readFile(store.paths(goal.id).failure, 'utf8')) as { reason: string };
    expect(failure.reason).toBe('wrong approach');
  });

  it('changes nothing when the remote goal is not stopped, not there, or already the same', async () => {
    await setLocal('running');
    const before = await eventTypes();
    for (const status of ['planned', 'running', 'ready', null] as const) {
      expect((await adoptRemoteChanges(store, remoteWith(status), goal.id)).stop).toBeNull();
    }
    await setLocal('paused');
    expect((await adoptRemoteChanges(store, remoteWith('paused'), goal.id)).stop).toBeNull();
    expect(await eventTypes()).toEqual(before);
  });

  it('leaves a finished run alone: a pause cannot stop a ready goal', async () => {
    await setLocal('ready');
    expect((await adoptRemoteChanges(store, remoteWith('paused'), goal.id)).stop).toBeNull();
    expect((await store.read(goal.id)).status).toBe('ready');
  });

  it('refuses a remote goal.json that is not JSON or not a goal, changing nothing', async () => {
    await setLocal('running');
    const garbage = { peek: async () => '{not json' };
    await expect(adoptRemoteChanges(store, garbage, goal.id)).rejects.toBeInstanceOf(StateError);
    const future = { peek: async () => JSON.stringify({ ...goal, version: 99, status: 'paused' }) };
    await expect(adoptRemoteChanges(store, future, goal.id)).rejects.toThrow(/version 99/);
    expect((await store.read(goal.id)).status).toBe('running');
  });
});

describe('adoptRemoteChanges: budget', () => {
  it('raises the local limits by what budget-add added on the state branch, as a recorded budget-add', async () => {
    await setLocal('running');
    const ours = { timeMs: 600_000, tokens: null, usd: null };
    await store.withGoalLock(goal.id, async () =>
      store.write({ ...(await store.read(goal.id)), budget: ours }),
    );
    const theirs = { ...ours, timeMs: 1_200_000 };
    const result = await adoptRemoteChanges(store, remoteWith('running', '', theirs), goal.id);
    expect(result).toEqual({ stop: null, budgetAdded: true });
    expect((await store.read(goal.id)).budget.timeMs).toBe(theirs.timeMs);
    expect(await eventTypes()).toContain('budget_added');
    // Seen again: nothing more to add.
    expect(await adoptRemoteChanges(store, remoteWith('running', '', theirs), goal.id)).toEqual({
      stop: null,
      budgetAdded: false,
    });
  });

  it('never lowers a limit and leaves an unlimited one alone', () => {
    const ours = { timeMs: 60_000, tokens: null, usd: 2 };
    expect(budgetIncrease(ours, { timeMs: 30_000, tokens: 5_000, usd: 2 })).toBeNull();
    expect(budgetIncrease(ours, { timeMs: 90_000, tokens: 5_000, usd: 2.5 })).toEqual({
      time: 30_000,
      usd: 0.5,
    });
  });
});

describe('watchRemoteChanges', () => {
  it('checks while the run executes and reports the stop it applied', async () => {
    await setLocal('running');
    const stops: string[] = [];
    const watch = watchRemoteChanges(store, remoteWith('paused'), goal.id, {
      pollMs: 20,
      warn: () => {},
      onStop: (action) => stops.push(action),
    });
    for (let i = 0; i < 100 && stops.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    await watch.stop();
    expect(stops).toEqual(['pause']);
    expect((await store.read(goal.id)).status).toBe('paused');
  });

  it('warns once when the remote cannot be read, and keeps trying', async () => {
    let calls = 0;
    const failing = {
      peek: async () => {
        calls += 1;
        throw new Error('network down');
      },
    };
    const warnings: string[] = [];
    const watch = watchRemoteChanges(store, failing, goal.id, { pollMs: 10, warn: (m) => warnings.push(m) });
    for (let i = 0; i < 100 && calls < 3; i += 1) await new Promise((r) => setTimeout(r, 10));
    await watch.stop();
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('network down');
  });
});
