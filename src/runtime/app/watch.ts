import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentSpent } from '../budget/ledger.js';
import { type BudgetSpent, ZERO_SPENT } from '../budget/schema.js';
import { ProgressFold, type RunProgress, type RunStop, type SliceProgress } from '../events/progress.js';
import type { GoalEvent } from '../events/schema.js';
import { EventTail } from '../events/tail.js';
import { gateLogName } from '../gates/log-name.js';
import { controllerAlive } from '../goal/actions.js';
import type { BudgetLimits, GoalRecord, GoalStatus } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { taskGraphVersioned } from '../graph/schema.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned } from '../state/versioned.js';
import { ANSI } from '../text/ansi.js';

/** One slice as a watcher shows it: the fold's slice (`events/progress.ts`). */
export type WatchSlice = SliceProgress;

/** Why the watched run ended, when an event says so. */
export type WatchStop = 'budget' | 'signal' | 'pause' | 'cancel' | 'controller_gone' | null;

export interface WatchView {
  goalId: string;
  goal: string;
  status: GoalStatus;
  nowMs: number;
  /** The run folded from its events (slices, integration, PRs, merge, what stopped it). */
  progress: RunProgress;
  spent: BudgetSpent;
  limits: BudgetLimits;
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

/** A gate that did not pass, and the last lines of its log. */
export interface GateTail {
  gate: string;
  outcome: string;
  /** A `pre_existing` outcome judged by exit code only (the event's `byExitCode`). */
  byExitCode: boolean;
  lines: string[];
}

/** The watch's reading of what stopped a run: a pause, a cancel, a signal (any other interruption) or the budget. */
function watchStop(stop: RunStop | null): WatchStop {
  if (stop === null) return null;
  if (stop.kind === 'budget') return 'budget';
  if (stop.kind !== 'interrupted') return null;
  return stop.by === 'pause' || stop.by === 'cancel' ? stop.by : 'signal';
}

/**
 * `watch`: follows one goal while it runs. Each `tick` reads only what the journal gained since
 * the last one (by byte offset) and folds it with the one progress fold (`events/progress.ts`),
 * and reads goal.json (cached by file identity), the budget's last checkpoint when something
 * happened, and the tail of each running agent's transcript. It reads; it never takes the goal lock.
 */
export class GoalWatch {
  private readonly tail: EventTail;
  private fold = new ProgressFold();
  private spent: BudgetSpent = ZERO_SPENT;
  private primed = false;

  private constructor(
    private readonly store: GoalStore,
    readonly goalId: string,
    private readonly options: WatchOptions,
  ) {
    this.tail = new EventTail(store.files, store.paths(goalId).events);
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
    let progress = this.fold.state();
    let settled = this.settledOf(goal, progress);
    // The controller writes its last events before the settled status: read them too.
    if (settled !== null) {
      events.push(...(await this.readEvents()));
      progress = this.fold.state();
      settled = this.settledOf(goal, progress);
    }
    if (events.length > 0 || !this.primed) {
      this.spent = await currentSpent(this.store.files, this.store.paths(this.goalId).budget);
      this.primed = true;
    }
    if (this.options.transcripts && (await this.readLastLines())) progress = this.fold.state();
    return { events, view: this.view(goal, progress, settled) };
  }

  private async reset(): Promise<void> {
    const graph = await readVersioned(
      this.store.files,
      taskGraphVersioned,
      this.store.paths(this.goalId).taskGraph,
    );
    this.fold = new ProgressFold(graph.tasks.map((task) => ({ id: task.id, title: task.title })));
  }

  private async readEvents(): Promise<GoalEvent[]> {
    const { events, restarted } = await this.tail.read();
    if (restarted) await this.reset();
    this.fold.foldAll(events);
    return events;
  }

  /**
   * For a `gates_verified` event: each gate that did not pass, with the last lines of its log
   * (artifacts/gates/), so `--verbose` shows why a gate failed when it finishes.
   */
  async gateTails(event: GoalEvent, count = GATE_TAIL_LINES): Promise<GateTail[]> {
    if (event.type !== 'gates_verified') return [];
    const { sha, outcomes, byExitCode } = event.data;
    if (typeof sha !== 'string' || !Array.isArray(outcomes)) return [];
    const exitCodeOnly = Array.isArray(byExitCode) ? byExitCode : [];
    const dir = this.store.paths(this.goalId).gateArtifacts;
    const tails: GateTail[] = [];
    for (const entry of outcomes) {
      if (typeof entry !== 'string') continue;
      const at = entry.lastIndexOf(':');
      const gate = entry.slice(0, at);
      const outcome = entry.slice(at + 1);
      if (at <= 0 || outcome === 'passed') continue;
      tails.push({
        gate,
        outcome,
        byExitCode: exitCodeOnly.includes(gate),
        lines: await lastLines(this.store.files, join(dir, gateLogName(sha, gate)), count),
      });
    }
    return tails;
  }

  /** Reads each running agent's last output line into the fold; true when one was read. */
  private async readLastLines(): Promise<boolean> {
    const dir = this.store.paths(this.goalId).agentRunArtifacts;
    const read = await Promise.all(
      this.fold.running().map(async (slice) => {
        const line = await lastLine(this.store.files, join(dir, slice.id, `transcript-${slice.attempt}.log`));
        if (line !== null) this.fold.setLastLine(slice.id, line);
        return line !== null;
      }),
    );
    return read.includes(true);
  }

  private settledOf(goal: GoalRecord, progress: RunProgress): WatchView['settled'] {
    // `goal run` plans a goal as not_ready, then executes it: until it has started, it is waited for.
    if (goal.status === 'not_ready' && progress.startedMs === null) return null;
    if (!UNSETTLED.includes(goal.status))
      return { status: goal.status, stoppedBy: watchStop(progress.stopped) };
    // A run whose controller died leaves the goal `running`: nothing will settle it but a resume.
    if (goal.status === 'running' && goal.controller !== null && !controllerAlive(this.store, goal))
      return { status: goal.status, stoppedBy: 'controller_gone' };
    return null;
  }

  private view(goal: GoalRecord, progress: RunProgress, settled: WatchView['settled']): WatchView {
    return {
      goalId: goal.id,
      goal: goal.goal.normalized,
      status: goal.status,
      nowMs: this.store.deps.clock.nowMs(),
      progress,
      spent: this.spent,
      limits: goal.budget,
      settled,
    };
  }
}

/** The last non-empty line of a file's end, free of control characters; null when unreadable. */
async function lastLine(files: StateFiles, path: string): Promise<string | null> {
  return (await lastLines(files, path, 1)).at(0) ?? null;
}

/** The last `count` non-empty lines of a log (its last 4 KiB), without colours or control characters. */
async function lastLines(files: StateFiles, path: string, count: number): Promise<string[]> {
  let tail: Buffer | undefined;
  try {
    tail = (await files.readRange(path, -TRANSCRIPT_TAIL, TRANSCRIPT_TAIL))?.bytes;
  } catch {
    return [];
  }
  if (tail === undefined) return [];
  return tail
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
}

export interface WatchGoalOptions {
  intervalMs: number;
  /** Read the running agents' transcripts (their last line). */
  transcripts: boolean;
  /** Ends the follow after one last tick (the run it showed has returned). */
  signal?: AbortSignal;
  /** End when the goal settles (watch); a run's own progress ends only with its signal. */
  untilSettled: boolean;
  /** What the host does with each tick (draw it, log its events). */
  onTick: (tick: WatchTick, watch: GoalWatch) => Promise<void> | void;
}

/**
 * Follows a goal until it settles (or the signal ends it) and returns its last view. Each tick
 * reads only what the journal gained, at a steady rate: the time a tick took comes off the wait.
 */
export async function watchGoal(
  store: GoalStore,
  goalId: string,
  options: WatchGoalOptions,
): Promise<WatchView> {
  const watch = await GoalWatch.open(store, goalId, { transcripts: options.transcripts });
  for (;;) {
    const began = performance.now();
    const stopping = options.signal?.aborted === true;
    const tick = await watch.tick();
    await options.onTick(tick, watch);
    if ((options.untilSettled && tick.view.settled !== null) || stopping) return tick.view;
    const wait = Math.max(0, options.intervalMs - (performance.now() - began));
    await sleep(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}
