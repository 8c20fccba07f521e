import type { GoalEvent } from './schema.js';

/**
 * A slice that has settled in the current run, with the attempts it took. `waiting`: its attempts
 * in this run failed but it has attempts left, for the next run (a resume) to use.
 */
export interface SettledSlice {
  id: string;
  state: 'done' | 'failed' | 'skipped' | 'waiting';
  attempts: number;
}

/** What stopped a run before it finished, as a kind (the words are the front door's). */
export type RunStop =
  | { kind: 'slices_failed'; slices: string[] }
  | { kind: 'slices_waiting'; slices: string[] }
  | { kind: 'integration_conflict'; branch: string }
  | { kind: 'budget' }
  | { kind: 'interrupted'; by: string };

/**
 * A goal's run in phases, folded from its events: planned, each slice settled, integrated, PRs
 * opened, merged, stopped. What a status comment or a job summary shows while a goal runs and
 * after it; never raw tool output (a failing slice's log stays in the proof and the artifacts).
 */
export interface RunProgress {
  /** Slices in the plan, once it is written. */
  planned: number | null;
  /** Settled slices in the order they settled; a retried slice keeps its latest state. */
  slices: SettledSlice[];
  /** The local integration of the done slices. */
  integrated: 'done' | 'conflict' | null;
  /** Pull requests opened, in order (sliceId null: the integrator PR). */
  pulls: { sliceId: string | null; number: number; url: string }[];
  merged: { target: string; sha: string } | null;
  stopped: RunStop | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** Folds a goal's events, oldest first, into its run's phases; unknown events are ignored. */
export function runProgress(events: readonly GoalEvent[]): RunProgress {
  const progress: RunProgress = {
    planned: null,
    slices: [],
    integrated: null,
    pulls: [],
    merged: null,
    stopped: null,
  };
  const settle = (id: string, state: SettledSlice['state'], attempts: number) => {
    progress.slices = progress.slices.filter((slice) => slice.id !== id);
    progress.slices.push({ id, state, attempts });
  };
  for (const { type, data } of events) {
    const taskId = str(data.taskId);
    switch (type) {
      case 'plan_written':
        progress.planned = num(data.tasks);
        break;
      case 'execution_started':
        // A new run (a resume) starts from what is still open; a slice job's start names its slice.
        if (data.slice === undefined) progress.stopped = null;
        break;
      case 'task_done':
        if (taskId !== null) settle(taskId, 'done', num(data.attempt) ?? 1);
        break;
      case 'task_failed':
        if (taskId !== null) settle(taskId, 'failed', num(data.attempts) ?? 1);
        break;
      case 'task_skipped':
        if (taskId !== null) settle(taskId, 'skipped', 0);
        break;
      case 'task_pending':
        if (taskId !== null) settle(taskId, 'waiting', num(data.attempt) ?? 1);
        break;
      case 'slice_reopened':
      case 'slice_reset':
        if (taskId !== null) progress.slices = progress.slices.filter((slice) => slice.id !== taskId);
        break;
      case 'integration_done':
        progress.integrated = 'done';
        break;
      case 'integration_conflict':
        progress.integrated = 'conflict';
        progress.stopped = { kind: 'integration_conflict', branch: str(data.branch) ?? '' };
        break;
      case 'pr_opened': {
        const number = num(data.number);
        const url = str(data.url);
        if (number !== null && url !== null && !progress.pulls.some((pull) => pull.number === number))
          progress.pulls.push({ sliceId: str(data.sliceId), number, url });
        break;
      }
      case 'goal_merged':
        progress.merged = { target: str(data.target) ?? '', sha: str(data.sha) ?? '' };
        break;
      case 'budget_exhausted':
        progress.stopped = { kind: 'budget' };
        break;
      case 'execution_interrupted':
        progress.stopped = { kind: 'interrupted', by: str(data.by) ?? 'signal' };
        break;
      case 'execution_finished': {
        const inState = (state: SettledSlice['state']) =>
          progress.slices.filter((slice) => slice.state === state).map((slice) => slice.id);
        const failed = inState('failed');
        const waiting = inState('waiting');
        if (failed.length > 0) progress.stopped = { kind: 'slices_failed', slices: failed };
        else if (waiting.length > 0) progress.stopped = { kind: 'slices_waiting', slices: waiting };
        break;
      }
    }
  }
  return progress;
}
