import { INTEGRATION_ID, isFixTaskId } from '../graph/branches.js';
import { FixFold, type FixProgress } from './fix-progress.js';
import type { GoalEvent } from './schema.js';

// The one fold of a goal's events into its progress: what `omk goal watch` and a run's progress on
// a terminal draw, what the bot's status comment and the Action's job summary list. Each front door
// renders the same state for its host; none folds events itself.

/** A slice's state in a run. `waiting`: its attempts in this run failed, with attempts left for a resume. */
export type SliceState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'waiting';

/** States a slice ends a run in. */
const SETTLED_STATES: readonly SliceState[] = ['done', 'failed', 'skipped', 'waiting'];

/** One slice of the run. */
export interface SliceProgress {
  id: string;
  /** The plan's title, or the id when the plan was not given to the fold. */
  title: string;
  state: SliceState;
  /** The current (or last) attempt; 0 before the first, and for a skipped slice. */
  attempt: number;
  /** When its current (or last) attempt started, in ms since the epoch. */
  startedMs: number | null;
  /** When it settled, or null while it is open. */
  endedMs: number | null;
  /** The gates of its last verified attempt, each `name:outcome`. */
  gates: string[];
  /**
   * Those of `gates` that fail on the base too but were compared by exit code only (their outcome
   * reads `pre_existing`): not shown one by one, so not to be called pre-existing.
   */
  gatesByExitCode: string[];
  /** The agent's last output line while it runs (a watcher reads it from the transcript). */
  lastLine: string | null;
  /** The sequence number of the event that settled it: the order slices settled in. */
  settledSeq: number | null;
  /** While its agent waits out a rate limit: when the wait ends, in ms since the epoch. */
  rateLimitedUntilMs: number | null;
}

/** What stopped a run before it finished, as a kind (the words are the front door's). */
export type RunStop =
  | { kind: 'slices_failed'; slices: string[] }
  | { kind: 'slices_waiting'; slices: string[] }
  | { kind: 'integration_conflict'; branch: string }
  | { kind: 'budget' }
  | { kind: 'interrupted'; by: string };

/**
 * The goal's last merge evaluation, as its `merge_evaluated` event recorded it: blocked (by the
 * first reason's blocker, with every reason's detail) or cleared to merge. A later one replaces it.
 */
export interface MergeVerdict {
  pr: number;
  merge: boolean;
  /** The first reason's blocker; null when cleared (or when the event named none). */
  blockedBy: string | null;
  reasons: string[];
}

/**
 * A goal's run folded from its events: planned, each slice with its state, attempt, times, gates
 * and last agent line, the integration, PRs opened, merged, and what stopped it. Never raw tool
 * output: a failing slice's log stays in the proof and the artifacts.
 */
export interface RunProgress {
  /** Slices in the plan, once it is written. */
  planned: number | null;
  /** When the current execution started (the last `execution_started` of the whole goal). */
  startedMs: number | null;
  /** Every slice: the plan's first, in its order, then those only the events name. */
  slices: SliceProgress[];
  /** The local integration: null until it is tried. */
  integration: 'done' | 'conflict' | 'repairing' | null;
  /** Pull requests opened, in order (sliceId null: the integrator PR). */
  pulls: { sliceId: string | null; number: number; url: string }[];
  /** The review fixes asked on the goal's PRs, in the order they were asked. */
  fixes: FixProgress[];
  merged: { target: string; sha: string } | null;
  /** The last merge evaluation, until a later one replaces it. */
  mergeVerdict: MergeVerdict | null;
  stopped: RunStop | null;
  lastEvent: { seq: number; type: string; ts: string } | null;
}

/** A slice of the plan, as the fold names it before any event does. */
export interface PlannedSlice {
  id: string;
  title: string;
}

interface SliceEntry extends SliceProgress {
  /** The sequence number of the last event that set its state, and its gates. */
  stateSeq: number;
  gatesSeq: number;
}

/** A value and the sequence number of the event that set it: a later event wins, an earlier one that arrives late does not. */
interface Latest<T> {
  seq: number;
  value: T;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * Folds events into a run's progress, one at a time as a watcher reads them or all at once. Each
 * fact keeps the event with the highest sequence number that set it, so events repeated (a log
 * read twice) change nothing and events out of order (a slice job's events folded in later) land
 * where their sequence number puts them; unknown event types are ignored.
 */
export class ProgressFold {
  private readonly seen = new Set<number>();
  private readonly slices = new Map<string, SliceEntry>();
  private readonly titles: Map<string, string>;
  private planned: Latest<number | null> = { seq: 0, value: null };
  private started: Latest<number | null> = { seq: 0, value: null };
  private finishedSeq = 0;
  private stop: Latest<RunStop | null> = { seq: 0, value: null };
  private integration: Latest<RunProgress['integration']> = { seq: 0, value: null };
  private pulls: (RunProgress['pulls'][number] & { seq: number })[] = [];
  private merged: Latest<RunProgress['merged']> = { seq: 0, value: null };
  private mergeVerdict: Latest<MergeVerdict | null> = { seq: 0, value: null };
  private lastEvent: RunProgress['lastEvent'] = null;
  private readonly fixes = new FixFold();

  constructor(plan: readonly PlannedSlice[] = []) {
    this.titles = new Map(plan.map((slice) => [slice.id, slice.title]));
    for (const slice of plan) this.slice(slice.id);
  }

  foldAll(events: readonly GoalEvent[]): this {
    for (const event of events) this.fold(event);
    return this;
  }

  fold(event: GoalEvent): void {
    if (this.seen.has(event.seq)) return;
    this.seen.add(event.seq);
    const { seq, type, data } = event;
    if (this.lastEvent === null || seq > this.lastEvent.seq) this.lastEvent = { seq, type, ts: event.ts };
    const at = Date.parse(event.ts);
    const atMs = Number.isNaN(at) ? null : at;
    switch (type) {
      case 'plan_written':
        this.planned = later(this.planned, seq, num(data.tasks));
        return;
      case 'execution_started':
        // A slice job's start names its slice; the goal's own start (a run or a resume) does not.
        if (data.slice === undefined) this.started = later(this.started, seq, atMs);
        return;
      case 'execution_finished':
        this.finishedSeq = Math.max(this.finishedSeq, seq);
        return;
      case 'budget_exhausted':
        this.stop = later(this.stop, seq, { kind: 'budget' });
        return;
      case 'execution_interrupted':
        this.stop = later(this.stop, seq, { kind: 'interrupted', by: str(data.by) ?? 'signal' });
        return;
      case 'integration_done':
        this.integration = later(this.integration, seq, 'done');
        return;
      case 'integration_conflict':
        this.integration = later(this.integration, seq, 'conflict');
        this.stop = later(this.stop, seq, { kind: 'integration_conflict', branch: str(data.branch) ?? '' });
        return;
      case 'integration_repair_started':
        this.integration = later(this.integration, seq, 'repairing');
        return;
      case 'pr_opened': {
        const number = num(data.number);
        const url = str(data.url);
        if (number === null || url === null || this.pulls.some((pull) => pull.number === number)) return;
        this.pulls.push({ sliceId: str(data.sliceId), number, url, seq });
        this.pulls.sort((a, b) => a.seq - b.seq);
        return;
      }
      case 'goal_merged':
        this.merged = later(this.merged, seq, { target: str(data.target) ?? '', sha: str(data.sha) ?? '' });
        return;
      case 'merge_evaluated':
        this.mergeVerdict = later(this.mergeVerdict, seq, mergeVerdictOf(data));
        return;
    }
    // A review fix's events (its request, its task's, its ending) are folded as the fix's.
    if (this.fixes.fold(event)) return;
    const taskId = str(data.taskId);
    // The integration-repair agent's events name the integration: not a slice.
    if (taskId !== null && taskId !== INTEGRATION_ID && !isFixTaskId(taskId))
      this.foldSlice(this.slice(taskId), event, atMs);
  }

  private foldSlice(slice: SliceEntry, { seq, type, data }: GoalEvent, at: number | null): void {
    const attempt = num(data.attempt);
    if (type === 'gates_verified') {
      if (seq < slice.gatesSeq) return;
      slice.gatesSeq = seq;
      slice.gates = strings(data.outcomes);
      slice.gatesByExitCode = strings(data.byExitCode);
      return;
    }
    if (type === 'agent_rate_limited') {
      const waitMs = num(data.waitMs);
      if (seq >= slice.stateSeq && slice.state === 'running' && at !== null && waitMs !== null)
        slice.rateLimitedUntilMs = at + waitMs;
      return;
    }
    if (!SLICE_EVENTS.has(type)) return;
    if (type === 'agent_started') {
      // Appended without waiting, so it may land after its attempt settled: it never reopens one.
      const of = attempt ?? slice.attempt;
      if (
        of < slice.attempt ||
        (of === slice.attempt && slice.state !== 'pending' && slice.state !== 'running')
      )
        return;
      if (of === slice.attempt && slice.state === 'running') {
        slice.startedMs ??= at;
        // The agent runs again after a rate limit: the wait is over.
        if (seq >= slice.stateSeq) slice.rateLimitedUntilMs = null;
        return;
      }
    }
    // A state an earlier event would set is already past: only its start time may still be missing.
    if (seq < slice.stateSeq) {
      if (type === 'task_leased' && attempt === slice.attempt) slice.startedMs ??= at;
      return;
    }
    slice.stateSeq = seq;
    slice.rateLimitedUntilMs = null;
    const settle = (state: SliceState, attempts: number) => {
      slice.state = state;
      slice.attempt = attempts;
      slice.endedMs = at;
      slice.lastLine = null;
      slice.settledSeq = seq;
    };
    const open = (state: 'pending' | 'running', attempts: number) => {
      slice.state = state;
      slice.attempt = attempts;
      slice.endedMs = null;
      slice.lastLine = null;
      slice.settledSeq = null;
    };
    switch (type) {
      case 'task_leased':
        open('running', attempt ?? slice.attempt + 1);
        slice.startedMs = at;
        return;
      case 'agent_started':
        open('running', Math.max(attempt ?? slice.attempt, 1));
        slice.startedMs = at;
        return;
      case 'task_done':
        settle('done', attempt ?? Math.max(slice.attempt, 1));
        return;
      case 'task_failed':
        settle('failed', num(data.attempts) ?? Math.max(slice.attempt, 1));
        return;
      case 'task_skipped':
        settle('skipped', 0);
        return;
      case 'task_pending':
        settle('waiting', attempt ?? Math.max(slice.attempt, 1));
        return;
      case 'slice_reopened':
      case 'slice_reset':
        open('pending', slice.attempt);
        return;
    }
  }

  /** The running slice's last agent output line (read from its transcript by a watcher). */
  setLastLine(sliceId: string, line: string | null): void {
    const slice = this.slices.get(sliceId);
    if (slice !== undefined && slice.state === 'running') slice.lastLine = line;
  }

  /** Slices running now, with their attempt (what a watcher reads transcripts for). */
  running(): { id: string; attempt: number }[] {
    return [...this.slices.values()]
      .filter((slice) => slice.state === 'running' && slice.attempt > 0)
      .map(({ id, attempt }) => ({ id, attempt }));
  }

  /** The progress as it stands: a copy the fold does not change afterwards. */
  state(): RunProgress {
    const slices = [...this.slices.values()].map(
      ({ stateSeq: _s, gatesSeq: _g, ...slice }): SliceProgress => ({
        ...slice,
        gates: [...slice.gates],
        gatesByExitCode: [...slice.gatesByExitCode],
      }),
    );
    return {
      planned: this.planned.value,
      startedMs: this.started.value,
      slices,
      integration: this.integration.value,
      pulls: this.pulls.map(({ seq: _seq, ...pull }) => pull),
      fixes: this.fixes.state(),
      merged: this.merged.value,
      mergeVerdict:
        this.mergeVerdict.value === null
          ? null
          : { ...this.mergeVerdict.value, reasons: [...this.mergeVerdict.value.reasons] },
      stopped: this.stopped(slices),
      lastEvent: this.lastEvent,
    };
  }

  /**
   * What stopped the current run: a stop recorded after the run started (a resume forgets the last
   * one); when the run finished, the slices that failed, else those waiting, come first.
   */
  private stopped(slices: readonly SliceProgress[]): RunStop | null {
    const startSeq = this.started.seq;
    if (this.finishedSeq > startSeq) {
      const inState = (state: SliceState) =>
        slices
          .filter((slice) => slice.state === state)
          .sort((a, b) => (a.settledSeq ?? 0) - (b.settledSeq ?? 0))
          .map((slice) => slice.id);
      const failed = inState('failed');
      if (failed.length > 0) return { kind: 'slices_failed', slices: failed };
      const waiting = inState('waiting');
      if (waiting.length > 0) return { kind: 'slices_waiting', slices: waiting };
    }
    return this.stop.seq > startSeq ? this.stop.value : null;
  }

  private slice(id: string): SliceEntry {
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
        gatesByExitCode: [],
        lastLine: null,
        settledSeq: null,
        rateLimitedUntilMs: null,
        stateSeq: 0,
        gatesSeq: 0,
      };
      this.slices.set(id, slice);
    }
    return slice;
  }
}

/** Events that set a slice's state. */
const SLICE_EVENTS: ReadonlySet<string> = new Set([
  'task_leased',
  'agent_started',
  'task_done',
  'task_failed',
  'task_skipped',
  'task_pending',
  'slice_reopened',
  'slice_reset',
]);

/** A merge evaluation's data as the verdict; malformed reasons are left out, never thrown on. */
function mergeVerdictOf(data: GoalEvent['data']): MergeVerdict {
  const reasons = Array.isArray(data.reasons)
    ? data.reasons.flatMap((reason: unknown) => {
        if (typeof reason !== 'object' || reason === null) return [];
        const { blocker, detail } = reason as { blocker?: unknown; detail?: unknown };
        return typeof blocker === 'string' && typeof detail === 'string' ? [{ blocker, detail }] : [];
      })
    : [];
  const merge = data.merge === true;
  return {
    pr: num(data.pr) ?? 0,
    merge,
    blockedBy: merge ? null : (reasons[0]?.blocker ?? null),
    reasons: reasons.map((reason) => reason.detail),
  };
}

function later<T>(current: Latest<T>, seq: number, value: T): Latest<T> {
  return seq > current.seq ? { seq, value } : current;
}

/** Folds a goal's events into its run's progress (the plan's slices first, when given). */
export function runProgress(events: readonly GoalEvent[], plan: readonly PlannedSlice[] = []): RunProgress {
  return new ProgressFold(plan).foldAll(events).state();
}

/** The slices that have settled, in the order they settled. */
export function settledSlices(progress: RunProgress): SliceProgress[] {
  return progress.slices
    .filter((slice) => SETTLED_STATES.includes(slice.state) && slice.settledSeq !== null)
    .sort((a, b) => (a.settledSeq ?? 0) - (b.settledSeq ?? 0));
}

/** The slices running now, in the plan's order. */
export function runningSlices(progress: RunProgress): SliceProgress[] {
  return progress.slices.filter((slice) => slice.state === 'running');
}
