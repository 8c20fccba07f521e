import { appendCheckpoint, currentSpent } from '../budget/ledger.js';
import type { BudgetSpent } from '../budget/schema.js';
import type { EventLog } from '../events/log.js';
import type { EventInput } from '../events/schema.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { type Task, type TaskGraph, taskGraphSchema, taskGraphVersioned } from '../graph/schema.js';
import { tamperingGaps } from '../integrity/findings.js';
import { assembleProof, rebuildProof } from '../proof/assemble.js';
import type { Gap, Proof } from '../proof/schema.js';
import { appendDecisions, type DecisionInput } from '../state/decisions.js';
import { readVersioned, writeJsonAtomic } from '../state/versioned.js';
import {
  type ExecutionStateRecord,
  readExecution,
  withStateGaps,
  writeExecution,
} from './execution-state.js';
import { addSpend } from './scheduler.js';

export interface SaveExtra {
  spend?: Partial<BudgetSpent>;
  spendNote?: string;
  decisions?: DecisionInput[];
  /** Updates goal.json under the same lock; throwing refuses the save (nothing of it is written). */
  goal?: (g: GoalRecord) => GoalRecord;
}

interface PendingSave {
  events: readonly EventInput[];
  extra: SaveExtra;
  resolve(): void;
  reject(error: unknown): void;
}

type Job = { kind: 'saves'; saves: PendingSave[] } | { kind: 'barrier'; run(): Promise<void> };

/**
 * The controller's one way to persist: the task graph, execution evidence, events, decisions and
 * spend are written together under the goal lock, in one queue per process, so a crash at any
 * point leaves a consistent goal that `resume` can continue.
 *
 * Saves that arrive while a write is in flight are committed together in the next one (group
 * commit): eight slices leasing at once cost two locked, fsynced writes instead of eight. Order is
 * kept; a save that updates goal.json is committed alone, so its refusal writes nothing of it.
 */
export class ExecutionJournal {
  readonly events: EventLog;
  private readonly jobs: Job[] = [];
  private draining = false;

  private constructor(
    readonly store: GoalStore,
    readonly goalId: string,
    public graph: TaskGraph,
    execution: ExecutionStateRecord,
    public spent: BudgetSpent,
  ) {
    this.#execution = execution;
    this.events = store.eventLog(goalId);
  }

  #execution: ExecutionStateRecord;
  /** Every `state_tampered` gap found in this run: kept on every record assigned after it. */
  readonly #stateGaps: Gap[] = [];

  /**
   * The execution record as this controller holds it. An assignment keeps every state gap found
   * so far, so an update computed from a record read before a check cannot drop what it found.
   */
  get execution(): ExecutionStateRecord {
    return this.#execution;
  }

  set execution(next: ExecutionStateRecord) {
    this.#execution = this.#stateGaps.length === 0 ? next : withStateGaps(next, this.#stateGaps);
  }

  /** Records state gaps for good: on the record now and on every record assigned later. */
  addStateGaps(gaps: readonly Gap[]): void {
    this.#stateGaps.push(...gaps);
    this.execution = this.#execution;
  }

  static async open(store: GoalStore, goalId: string): Promise<ExecutionJournal> {
    const paths = store.paths(goalId);
    // From here on the store keeps what this controller writes and reads of the goal's evidence,
    // out of an agent's reach, and the proof is built only after the disk is compared with it.
    await store.watchGoal(goalId);
    const [graph, execution, spent] = await Promise.all([
      readVersioned(store.files, taskGraphVersioned, paths.taskGraph),
      readExecution(store.files, paths.execution),
      currentSpent(store.files, paths.budget),
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
  save(events: readonly EventInput[], extra: SaveExtra = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const save: PendingSave = { events, extra, resolve, reject };
      const last = this.jobs.at(-1);
      // Joins the queued group unless either side updates goal.json.
      if (last?.kind === 'saves' && !extra.goal && !last.saves.some((s) => s.extra.goal))
        last.saves.push(save);
      else this.jobs.push({ kind: 'saves', saves: [save] });
      this.drain();
    });
  }

  /** Rebuilds the proof from what is persisted and writes the goal's settled status. */
  finish(status: (proof: Proof, goal: GoalRecord) => GoalRecord): Promise<Proof> {
    return new Promise<Proof>((resolve, reject) => {
      this.jobs.push({
        kind: 'barrier',
        run: () =>
          this.store
            .withGoalLock(this.goalId, async () => {
              await this.recordTampering();
              const goal = await this.store.read(this.goalId);
              const proof = await rebuildProof(this.store, goal, this.events);
              await this.store.write(status(proof, goal));
              return proof;
            })
            .then(resolve, reject),
      });
      this.drain();
    });
  }

  /** The proof the persisted evidence gives now (after every queued save), written nowhere. */
  preview(): Promise<Proof> {
    return new Promise<Proof>((resolve, reject) => {
      this.jobs.push({
        kind: 'barrier',
        run: () =>
          this.store
            .withGoalLock(this.goalId, () => this.recordTampering())
            .then(() => this.store.read(this.goalId))
            .then((goal) => assembleProof(this.store, goal, this.events))
            .then(resolve, reject),
      });
      this.drain();
    });
  }

  /**
   * Before a proof is built: what differs on disk from what this controller wrote or saw becomes
   * `state_tampered` gaps in execution.json (written now, under the caller's lock), so the proof
   * built next says why it is not ready.
   */
  private async recordTampering(): Promise<void> {
    const gaps = tamperingGaps(
      await this.store.verifyGoal(this.goalId, { byContent: true }),
      [],
      'before the proof was built',
    );
    if (gaps.length === 0) return;
    this.addStateGaps(gaps);
    await writeExecution(this.store.files, this.store.paths(this.goalId).execution, this.execution);
  }

  /** Runs queued jobs one at a time; a group keeps growing until its turn comes. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void (async () => {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        if (job.kind === 'barrier') await job.run();
        else await this.commit(job.saves);
      }
      this.draining = false;
    })();
  }

  private async commit(saves: readonly PendingSave[]): Promise<void> {
    try {
      await this.store.withGoalLock(this.goalId, async () => {
        const paths = this.store.paths(this.goalId);
        const { clock } = this.store.deps;
        // The goal's update is decided before anything is written: one that refuses (the goal was
        // paused meanwhile) writes nothing.
        const updates = saves.flatMap((s) => (s.extra.goal ? [s.extra.goal] : []));
        const spends = saves.filter((s) => s.extra.spend);
        const current = updates.length > 0 || spends.length > 0 ? await this.store.read(this.goalId) : null;
        const updated =
          current && updates.length > 0 ? updates.reduce((g, update) => update(g), current) : null;
        const limits = (updated ?? current)?.budget;
        // Files that do not depend on each other are written at once: under load every await
        // waits its turn, so fewer rounds matter more than fewer bytes. Events go last, so the
        // log never says more than the graph and evidence show.
        await Promise.all([
          updated ? this.store.write(updated) : null,
          writeJsonAtomic(this.store.files, paths.taskGraph, taskGraphSchema.parse(this.graph)),
          writeExecution(this.store.files, paths.execution, this.execution),
        ]);
        const decisions = saves.flatMap((s) => s.extra.decisions ?? []);
        const checkpoints = spends.map((s) => {
          this.spent = addSpend(this.spent, s.extra.spend ?? {});
          return { spent: this.spent, note: s.extra.spendNote ?? 'spend' };
        });
        await Promise.all([
          decisions.length > 0 ? appendDecisions(this.store.files, paths.decisions, clock, decisions) : null,
          (async () => {
            for (const { spent, note } of checkpoints) {
              if (limits)
                await appendCheckpoint(this.store.files, paths.budget, clock, {
                  kind: 'spend',
                  limits,
                  spent,
                  note,
                });
            }
          })(),
        ]);
        const events = saves.flatMap((s) => s.events);
        if (events.length > 0) await this.events.append(events);
      });
    } catch (error) {
      for (const s of saves) s.reject(error);
      return;
    }
    for (const s of saves) s.resolve();
  }
}
