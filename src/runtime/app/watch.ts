import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { currentSpent } from '../budget/ledger.js';
import { type BudgetSpent, ZERO_SPENT } from '../budget/schema.js';
import type { GoalEvent } from '../events/schema.js';
import { EventTail } from '../events/tail.js';
import { gateLogName } from '../gates/log-name.js';
import { controllerAlive } from '../goal/actions.js';
import type { BudgetLimits, GoalRecord, GoalStatus } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { type TASK_STATUSES, taskGraphVersioned } from '../graph/schema.js';
import { readVersioned } from '../state/versioned.js';

type TaskStatus = (typeof TASK_STATUSES)[number];

/** One slice as a watcher shows it. */
export interface WatchSlice {
  id: string;
  title: string;
  state: TaskStatus;
  attempt: number;
  /** When its current (or last) attempt started, in ms since the epoch. */
  startedMs: number | null;
  /** When it settled (done, failed, skipped), or null while it runs or waits. */
  endedMs: number | null;
  /** The gates of its last verified attempt, each `name:outcome`. */
  gates: string[];
  /** The agent's last output line while it runs, when its transcript is readable. */
  lastLine: string | null;
}

/** Why the watched run ended, when an event says so. */
export type WatchStop = 'budget' | 'signal' | 'pause' | 'cancel' | 'controller_gone' | null;

export interface WatchView {
  goalId: string;
  goal: string;
  status: GoalStatus;
  nowMs: number;
  /** When the current execution started (the last `execution_started` of the whole goal). */
  startedMs: number | null;
  slices: WatchSlice[];
  /** The local integration: null until it is tried. */
  integration: 'done' | 'conflict' | 'repairing' | null;
  spent: BudgetSpent;
  limits: BudgetLimits;
  lastEvent: { seq: number; type: string; ts: string } | null;
  /** Set once the goal has settled (or its controller is gone): the watch ends there. */
  settled: { status: GoalStatus; stoppedBy: WatchStop } | null;
}

export interface WatchTick {
  /** The events appended since the previous tick, in order. */
  events: GoalEvent[];
  view: WatchView;
}

export interface WatchOptions {
  /** Read each running agent's transcript for its last output line. */
  transcripts: boolean;
}

/** Statuses in which a controller may still be working: a watch waits through them. */
const UNSETTLED: readonly GoalStatus[] = ['planned', 'running'];
/** How much of a transcript's end is read for its last line. */
const TRANSCRIPT_TAIL = 4096;
const LAST_LINE_MAX = 200;
/** How many of a gate log's last lines `--verbose` shows for a gate that did not pass. */
const GATE_TAIL_LINES = 8;
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what we remove.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/**
 * `watch`: follows one goal while it runs. Each `tick` reads only what the journal gained since
 * the last one (by byte offset), folds it into the slices' states, and reads goal.json (cached by
 * file identity), the budget's last checkpoint when something happened, and the tail of each
 * running agent's transcript. It reads; it never takes the goal lock.
 */
/** A gate that did not pass, and the last lines of its log. */
export interface GateTail {
  gate: string;
  outcome: string;
  lines: string[];
}

export class GoalWatch {
  private readonly tail: EventTail;
  private slices = new Map<string, WatchSlice>();
  private titles = new Map<string, string>();
  private startedMs: number | null = null;
  private integration: WatchView['integration'] = null;
  private stop: WatchStop = null;
  private spent: BudgetSpent = ZERO_SPENT;
  private lastEvent: WatchView['lastEvent'] = null;
  private primed = false;

  private constructor(
    private readonly store: GoalStore,
    readonly goalId: string,
    private readonly options: WatchOptions,
  ) {
    this.tail = new EventTail(store.paths(goalId).events);
  }

  static async open(store: GoalStore, goalId: string, options: WatchOptions): Promise<GoalWatch> {
    const watch = new GoalWatch(store, goalId, options);
    await store.read(goalId);
    await watch.reset();
    return watch;
  }

  async tick(): Promise<WatchTick> {
    const events = await this.readEvents();
    const goal = await this.store.read(this.goalId);
    let settled = this.settledOf(goal);
    // The controller writes its last events before the settled status: read them too.
    if (settled !== null) events.push(...(await this.readEvents()));
    settled = settled === null ? null : this.settledOf(goal);
    if (events.length > 0 || !this.primed) {
      this.spent = await currentSpent(this.store.paths(this.goalId).budget);
      this.primed = true;
    }
    if (this.options.transcripts) await this.readLastLines();
    return { events, view: this.view(goal, settled) };
  }

  private async reset(): Promise<void> {
    const graph = await readVersioned(taskGraphVersioned, this.store.paths(this.goalId).taskGraph);
    this.slices = new Map();
    this.titles = new Map(graph.tasks.map((task) => [task.id, task.title]));
    for (const task of graph.tasks) this.slice(task.id);
    this.startedMs = null;
    this.integration = null;
    this.stop = null;
    this.lastEvent = null;
  }

  private async readEvents(): Promise<GoalEvent[]> {
    const { events, restarted } = await this.tail.read();
    if (restarted) await this.reset();
    for (const event of events) this.fold(event);
    return events;
  }

  private slice(id: string): WatchSlice {
    let slice = this.slices.get(id);
    if (slice === undefined) {
      slice = {
        id,
        title: this.titles.get(id) ?? id,
        state: 'pending',
        attempt: 0,
        startedMs: null,
        endedMs: null,
        gates: [],
        lastLine: null,
      };
      this.slices.set(id, slice);
    }
    return slice;
  }

  private fold(event: GoalEvent): void {
    this.lastEvent = { seq: event.seq, type: event.type, ts: event.ts };
    const at = Date.parse(event.ts);
    const { data } = event;
    const taskId = typeof data.taskId === 'string' ? data.taskId : null;
    const attempt = typeof data.attempt === 'number' ? data.attempt : null;
    switch (event.type) {
      case 'execution_started':
        // A slice job's start names its slice; the goal's own start does not.
        if (data.slice === undefined) {
          this.startedMs = at;
          this.stop = null;
        }
        return;
      case 'execution_finished':
        this.stop = null;
        return;
      case 'budget_exhausted':
        this.stop = 'budget';
        return;
      case 'execution_interrupted':
        this.stop = data.by === 'pause' || data.by === 'cancel' ? data.by : 'signal';
        return;
      case 'integration_done':
        this.integration = 'done';
        return;
      case 'integration_conflict':
        this.integration = 'conflict';
        return;
      case 'integration_repair_started':
        this.integration = 'repairing';
        return;
    }
    if (taskId === null) return;
    const slice = this.slice(taskId);
    switch (event.type) {
      case 'task_leased':
        slice.state = 'running';
        slice.attempt = attempt ?? slice.attempt + 1;
        slice.startedMs = at;
        slice.endedMs = null;
        slice.lastLine = null;
        return;
      case 'agent_started':
        slice.state = 'running';
        if (attempt !== null) slice.attempt = attempt;
        slice.startedMs ??= at;
        return;
      case 'gates_verified':
        slice.gates = Array.isArray(data.outcomes)
          ? data.outcomes.filter((o): o is string => typeof o === 'string')
          : [];
        return;
      case 'task_done':
        slice.state = 'done';
        slice.endedMs = at;
        slice.lastLine = null;
        return;
      case 'task_failed':
        slice.state = 'failed';
        slice.endedMs = at;
        slice.lastLine = null;
        return;
      case 'task_skipped':
        slice.state = 'skipped';
        slice.endedMs = at;
        return;
      case 'task_pending':
      case 'slice_reopened':
        slice.state = 'pending';
        slice.endedMs = null;
        slice.lastLine = null;
        return;
    }
  }

  /**
   * For a `gates_verified` event: each gate that did not pass, with the last lines of its log
   * (artifacts/gates/), so `--verbose` shows why a gate failed when it finishes.
   */
  async gateTails(event: GoalEvent, count = GATE_TAIL_LINES): Promise<GateTail[]> {
    if (event.type !== 'gates_verified') return [];
    const { sha, outcomes } = event.data;
    if (typeof sha !== 'string' || !Array.isArray(outcomes)) return [];
    const dir = this.store.paths(this.goalId).gateArtifacts;
    const tails: GateTail[] = [];
    for (const entry of outcomes) {
      if (typeof entry !== 'string') continue;
      const at = entry.lastIndexOf(':');
      const gate = entry.slice(0, at);
      const outcome = entry.slice(at + 1);
      if (at <= 0 || outcome === 'passed') continue;
      tails.push({ gate, outcome, lines: await lastLines(join(dir, gateLogName(sha, gate)), count) });
    }
    return tails;
  }

  private async readLastLines(): Promise<void> {
    const dir = this.store.paths(this.goalId).agentRunArtifacts;
    await Promise.all(
      [...this.slices.values()]
        .filter((slice) => slice.state === 'running' && slice.attempt > 0)
        .map(async (slice) => {
          const line = await lastLine(join(dir, slice.id, `transcript-${slice.attempt}.log`));
          if (line !== null) slice.lastLine = line;
        }),
    );
  }

  private settledOf(goal: GoalRecord): WatchView['settled'] {
    // `goal run` plans a goal as not_ready, then executes it: until it has started, it is waited for.
    if (goal.status === 'not_ready' && this.startedMs === null) return null;
    if (!UNSETTLED.includes(goal.status)) return { status: goal.status, stoppedBy: this.stop };
    // A run whose controller died leaves the goal `running`: nothing will settle it but a resume.
    if (goal.status === 'running' && goal.controller !== null && !controllerAlive(this.store, goal))
      return { status: goal.status, stoppedBy: 'controller_gone' };
    return null;
  }

  private view(goal: GoalRecord, settled: WatchView['settled']): WatchView {
    return {
      goalId: goal.id,
      goal: goal.goal.normalized,
      status: goal.status,
      nowMs: this.store.deps.clock.nowMs(),
      startedMs: this.startedMs,
      slices: [...this.slices.values()].map((slice) => ({ ...slice, gates: [...slice.gates] })),
      integration: this.integration,
      spent: this.spent,
      limits: goal.budget,
      lastEvent: this.lastEvent,
      settled,
    };
  }
}

/** The last non-empty line of a file's end, free of control characters; null when unreadable. */
async function lastLine(path: string): Promise<string | null> {
  return (await lastLines(path, 1)).at(0) ?? null;
}

/** The last `count` non-empty lines of a log (its last 4 KiB), without colours or control characters. */
async function lastLines(path: string, count: number): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TRANSCRIPT_TAIL);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split(/\r?\n|\r/)
      .map((line) =>
        line
          .replace(ANSI, '')
          .replace(/[\p{Cc}\u2028\u2029]/gu, '')
          .trimEnd(),
      )
      .filter((line) => line.trim() !== '' && !line.startsWith('# omk:'))
      .slice(-count)
      .map((line) => line.slice(0, LAST_LINE_MAX));
  } finally {
    await handle.close();
  }
}
