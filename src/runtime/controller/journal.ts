import { appendCheckpoint, currentSpent } from '../budget/ledger.js';
import type { BudgetSpent } from '../budget/schema.js';
import { EventLog } from '../events/log.js';
import type { EventInput } from '../events/schema.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { type Task, type TaskGraph, taskGraphSchema, taskGraphVersioned } from '../graph/schema.js';
import { rebuildProof } from '../proof/assemble.js';
import type { Proof } from '../proof/schema.js';
import { writeJsonAtomic } from '../state/atomic.js';
import { appendDecisions, type DecisionInput } from '../state/decisions.js';
import { readVersioned } from '../state/versioned.js';
import { type ExecutionStateRecord, readExecution, writeExecution } from './execution-state.js';
import { addSpend } from './scheduler.js';

/**
 * The controller's one way to persist: the task graph, execution evidence, events, decisions and
 * spend are written together under the goal lock, in one queue per process, so a crash at any
 * point leaves a consistent goal that `resume` can continue.
 */
export class ExecutionJournal {
  readonly events: EventLog;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly store: GoalStore,
    readonly goalId: string,
    public graph: TaskGraph,
    public execution: ExecutionStateRecord,
    public spent: BudgetSpent,
  ) {
    this.events = new EventLog(store.paths(goalId).events, store.deps.clock);
  }

  static async open(store: GoalStore, goalId: string): Promise<ExecutionJournal> {
    const paths = store.paths(goalId);
    const [graph, execution, spent] = await Promise.all([
      readVersioned(taskGraphVersioned, paths.taskGraph),
      readExecution(paths.execution),
      currentSpent(paths.budget),
    ]);
    return new ExecutionJournal(store, goalId, graph, execution, spent);
  }

  task(id: string): Task {
    const task = this.graph.tasks.find((t) => t.id === id);
    if (!task) throw new Error(`unknown task ${id}`);
    return task;
  }

  updateTask(id: string, change: Partial<Pick<Task, 'status' | 'attempts'>>): void {
    this.graph = {
      ...this.graph,
      tasks: this.graph.tasks.map((t) => (t.id === id ? { ...t, ...change } : t)),
    };
  }

  /** Persists the current graph and evidence with these events (and spend, and decisions). */
  save(
    events: readonly EventInput[],
    extra: {
      spend?: Partial<BudgetSpent>;
      spendNote?: string;
      decisions?: DecisionInput[];
      goal?: (g: GoalRecord) => GoalRecord;
    } = {},
  ): Promise<void> {
    const run = async () =>
      this.store.withGoalLock(this.goalId, async () => {
        const paths = this.store.paths(this.goalId);
        // The goal first: an update that refuses (the goal was paused meanwhile) writes nothing.
        if (extra.goal) {
          const goal = await this.store.read(this.goalId);
          await this.store.write(extra.goal(goal));
        }
        await writeJsonAtomic(paths.taskGraph, taskGraphSchema.parse(this.graph));
        await writeExecution(paths.execution, this.execution);
        if (extra.decisions && extra.decisions.length > 0) {
          await appendDecisions(paths.decisions, this.store.deps.clock, extra.decisions);
        }
        if (extra.spend) {
          this.spent = addSpend(this.spent, extra.spend);
          const goal = await this.store.read(this.goalId);
          await appendCheckpoint(paths.budget, this.store.deps.clock, {
            kind: 'spend',
            limits: goal.budget,
            spent: this.spent,
            note: extra.spendNote ?? 'spend',
          });
        }
        if (events.length > 0) await this.events.append(events);
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Rebuilds the proof from what is persisted and writes the goal's settled status. */
  finish(status: (proof: Proof, goal: GoalRecord) => GoalRecord): Promise<Proof> {
    const run = () =>
      this.store.withGoalLock(this.goalId, async () => {
        const goal = await this.store.read(this.goalId);
        const proof = await rebuildProof(this.store, goal, this.events);
        await this.store.write(status(proof, goal));
        return proof;
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}
