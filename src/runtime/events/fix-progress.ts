import { fixTaskId, isFixTaskId } from '../graph/branches.js';
import type { GoalEvent } from './schema.js';

/**
 * A review fix's state in a run: asked and not started (`pending`), its agent at work (`running`),
 * its change committed and the goal being verified again (`committed`), then `applied` (the PRs
 * show it, the proof is ready) or `failed` (no change, or the proof is not ready).
 */
export type FixState = 'pending' | 'running' | 'committed' | 'applied' | 'failed';

/** One review fix of the goal, as its events tell it (the fold's counterpart of a slice). */
export interface FixProgress {
  /** Its task id, `fix-<n>`. */
  id: string;
  /** The PR it was asked on, and that PR's slice (null: the integrator PR). */
  pr: number;
  sliceId: string | null;
  /** The requests it answers (`review-comment:<id>`, `review:<id>`, `comment:<id>`, `cli:…`). */
  requests: string[];
  state: FixState;
  /** Its current (or last) attempt; 0 before the first. */
  attempt: number;
  /** Why it failed (`fix_failed`'s words), else null. */
  why: string | null;
  /** While its agent waits out a rate limit: when the wait ends, in ms since the epoch. */
  rateLimitedUntilMs: number | null;
}

interface FixEntry extends FixProgress {
  stateSeq: number;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * Folds the events of review fixes: `fix_requested` makes one, its task's events (named by its
 * `fix-<n>` task id) move it, `fix_applied` / `fix_failed` end it. Like the slices' fold, a later
 * event wins over an earlier one that arrives late.
 */
export class FixFold {
  private readonly fixes = new Map<string, FixEntry>();

  /** Whether the event was a fix's (the caller folds it no further). */
  fold({ seq, type, data, ts }: GoalEvent): boolean {
    if (type === 'fix_requested' || type === 'fix_applied' || type === 'fix_failed') {
      const n = num(data.fix);
      if (n === null) return true;
      const fix = this.fix(str(data.taskId) ?? fixTaskId(n));
      const pr = num(data.pr);
      if (pr !== null) fix.pr = pr;
      if (type === 'fix_requested') {
        if (data.sliceId !== undefined) fix.sliceId = str(data.sliceId);
        fix.requests = Array.isArray(data.requestIds)
          ? data.requestIds.filter((id): id is string => typeof id === 'string')
          : fix.requests;
        return true;
      }
      if (seq < fix.stateSeq) return true;
      fix.stateSeq = seq;
      fix.rateLimitedUntilMs = null;
      // An interrupted fix's ending is not its end: the next run runs it again.
      if (data.interrupted === true) fix.state = 'pending';
      else fix.state = type === 'fix_applied' ? 'applied' : 'failed';
      fix.why = type === 'fix_failed' ? str(data.why) : null;
      return true;
    }
    const taskId = str(data.taskId);
    if (taskId === null || !isFixTaskId(taskId)) return false;
    const fix = this.fix(taskId);
    const attempt = num(data.attempt);
    if (type === 'agent_rate_limited') {
      const at = Date.parse(ts);
      const waitMs = num(data.waitMs);
      if (seq >= fix.stateSeq && !Number.isNaN(at) && waitMs !== null) fix.rateLimitedUntilMs = at + waitMs;
      return true;
    }
    const next = FIX_TASK_STATES[type];
    if (next === undefined || seq < fix.stateSeq) return true;
    // Appended without waiting, so it may land after its attempt settled: it never reopens one.
    if (type === 'agent_started' && fix.state !== 'pending' && fix.state !== 'running') return true;
    fix.stateSeq = seq;
    fix.state = next;
    fix.rateLimitedUntilMs = null;
    if (attempt !== null) fix.attempt = attempt;
    return true;
  }

  /** The fixes, in the order they were asked. */
  state(): FixProgress[] {
    return [...this.fixes.values()].map(({ stateSeq: _, ...fix }) => ({
      ...fix,
      requests: [...fix.requests],
    }));
  }

  private fix(id: string): FixEntry {
    let fix = this.fixes.get(id);
    if (fix === undefined) {
      fix = {
        id,
        pr: 0,
        sliceId: null,
        requests: [],
        state: 'pending',
        attempt: 0,
        why: null,
        rateLimitedUntilMs: null,
        stateSeq: 0,
      };
      this.fixes.set(id, fix);
    }
    return fix;
  }
}

/** What a fix task's own events make of it (the ending comes from `fix_applied` / `fix_failed`). */
const FIX_TASK_STATES: Readonly<Record<string, FixState>> = {
  task_leased: 'running',
  agent_started: 'running',
  task_done: 'committed',
  task_failed: 'failed',
  task_pending: 'pending',
};
