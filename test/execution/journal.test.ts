import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionJournal } from '../../src/runtime/controller/journal.js';
import { IllegalTransitionError } from '../../src/runtime/errors.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { type PlannedGoal, plannedDemoGoal } from '../helpers/planned-goal.js';

/** Counts locked writes: each commit of the journal takes the goal lock once. */
class CountingStore extends GoalStore {
  locks = 0;
  override async withGoalLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.locks += 1;
    return super.withGoalLock(id, fn);
  }
}

let planned: PlannedGoal<CountingStore>;
let store: CountingStore;
let goalId: string;

beforeEach(async () => {
  planned = await plannedDemoGoal((deps) => new CountingStore(deps));
  store = planned.store;
  goalId = planned.goal.id;
});
afterEach(async () => {
  await planned.cleanup();
});

describe('ExecutionJournal.save (group commit)', () => {
  it('commits saves that arrive during a write together, in order, with everything each one carried', async () => {
    const journal = await ExecutionJournal.open(store, goalId);
    const ids = journal.graph.tasks.map((t) => t.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const before = (await journal.events.read()).events.length;
    store.locks = 0;

    const rounds = [0, 1, 2, 3, 4];
    const saves = rounds.map((i) => {
      const id = ids[i % ids.length] ?? '';
      journal.updateTask(id, { status: 'running', attempts: 1 });
      return journal.save([{ type: 'task_leased', data: { taskId: id, attempt: 1, n: i } }], {
        spend: { timeMs: 10 * (i + 1) },
        spendNote: `lease ${i}`,
        decisions: [{ kind: 'test', decision: `d${i}`, reason: 'group commit' }],
      });
    });
    await Promise.all(saves);

    // The first save starts a write at once; all the others join the next one.
    expect(store.locks).toBe(2);
    const events = (await journal.events.read()).events.slice(before);
    expect(events.map((e) => e.data.n)).toEqual(rounds);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => before + i + 1));
    const graph = JSON.parse(await readFile(store.paths(goalId).taskGraph, 'utf8')) as {
      tasks: { status: string }[];
    };
    expect(graph.tasks.every((t) => t.status === 'running')).toBe(true);
    const total = rounds.reduce((sum, i) => sum + 10 * (i + 1), 0);
    expect(journal.spent.timeMs).toBe(total);
    const reopened = await ExecutionJournal.open(store, goalId);
    expect(reopened.spent.timeMs).toBe(total);
  });

  it('commits a goal update alone: its refusal fails only that save and writes none of it', async () => {
    const journal = await ExecutionJournal.open(store, goalId);
    const before = (await journal.events.read()).events.length;
    const first = journal.save([{ type: 'task_leased', data: { n: 1 } }]);
    const refused = journal.save([{ type: 'execution_started', data: { n: 2 } }], {
      goal: () => {
        throw new IllegalTransitionError('paused meanwhile');
      },
    });
    const third = journal.save([{ type: 'task_leased', data: { n: 3 } }]);
    await expect(refused).rejects.toBeInstanceOf(IllegalTransitionError);
    await Promise.all([first, third]);
    const events = (await journal.events.read()).events.slice(before);
    expect(events.map((e) => e.data.n)).toEqual([1, 3]);
  });

  it('runs finish after every save queued before it', async () => {
    const journal = await ExecutionJournal.open(store, goalId);
    const saves = [1, 2, 3].map((n) => journal.save([{ type: 'task_leased', data: { n } }]));
    const proof = await journal.finish((_proof, goal) => goal);
    const { events } = await journal.events.read();
    expect(events.filter((e) => e.type === 'task_leased')).toHaveLength(3);
    await Promise.all(saves);
    expect(proof.goalId).toBe(goalId);
  });
});
