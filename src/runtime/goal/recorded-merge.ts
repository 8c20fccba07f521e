import { parseEvent } from '../events/log.js';
import type { GoalEvent } from '../events/schema.js';
import { rebuildProof } from '../proof/assemble.js';
import { readLastJsonlMatching } from '../state/jsonl.js';
import type { StateFiles } from '../state/port.js';
import { type GoalRecord, TERMINAL_STATUSES } from './schema.js';
import type { GoalStore } from './store.js';

// A merge is recorded in two writes: `goal_merged` in events.jsonl, then `merged` in goal.json.
// A process killed between them leaves a goal whose events say merged while goal.json still says
// `ready`. Every path that decides from a goal's status (status, resume --auto, merge, the Action's
// next run) settles it first, so the event, the proof and goal.json agree again.

export interface RecordedMerge {
  pr: number;
  sha: string;
  target: string;
}

/** The last `goal_merged` event, or null when the events record no merge. */
export function recordedMerge(events: readonly GoalEvent[]): RecordedMerge | null {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (event?.type !== 'goal_merged') continue;
    const { pr, sha, target } = event.data;
    return {
      pr: typeof pr === 'number' ? pr : 0,
      sha: typeof sha === 'string' ? sha : '',
      target: typeof target === 'string' ? target : '',
    };
  }
  return null;
}

export interface SettledMerge {
  goal: GoalRecord;
  /** The merge the events record, when they record one. */
  merge: RecordedMerge | null;
  /** goal.json was behind its events and now says `merged`. */
  settled: boolean;
}

/**
 * Makes goal.json `merged` when its events record a merge it does not (the proof is rebuilt with
 * it). A terminal goal is left as it is: only a merge recorded by omk's own merge call is adopted.
 * Every `goal status` comes here: the log is read from its end for the last `goal_merged`, and
 * only the lines that name it are parsed (`lastRecordedMerge`), not the whole history.
 */
export async function settleRecordedMerge(store: GoalStore, goalId: string): Promise<SettledMerge> {
  const first = await store.read(goalId);
  if (TERMINAL_STATUSES.includes(first.status)) return { goal: first, merge: null, settled: false };
  const path = store.paths(goalId).events;
  const merge = await lastRecordedMerge(store.files, path);
  if (merge === null) return { goal: first, merge: null, settled: false };
  return store.withGoalLock(goalId, async () => {
    const current = await store.read(goalId);
    if (TERMINAL_STATUSES.includes(current.status)) return { goal: current, merge, settled: false };
    const written = await store.write({ ...current, status: 'merged', resumeTo: null, controller: null });
    await rebuildProof(store, written, store.eventLog(goalId));
    return { goal: written, merge, settled: true };
  });
}

/** The last `goal_merged` of an events.jsonl, read backwards from its end; null when it records none. */
export async function lastRecordedMerge(
  files: StateFiles,
  eventsPath: string,
): Promise<RecordedMerge | null> {
  const event = await readLastJsonlMatching(files, eventsPath, parseEvent, {
    contains: 'goal_merged',
    accept: (candidate) => candidate.type === 'goal_merged',
  });
  return event === null ? null : recordedMerge([event]);
}
