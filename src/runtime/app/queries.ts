import { type RunProgress, runProgress } from '../events/progress.js';
import { type GoalOrigin, readOrigin } from '../goal/origin.js';
import { settleRecordedMerge } from '../goal/recorded-merge.js';
import { type GoalRecord, TERMINAL_STATUSES } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { dependencyWaves } from '../graph/order.js';
import { taskGraphVersioned } from '../graph/schema.js';
import { readOrAssembleProof } from '../proof/assemble.js';
import type { Proof } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';

/** The goal and its proof from a store, or nulls when the goal is not (yet) there. */
export async function goalView(
  store: GoalStore | null,
  goalId: string,
): Promise<{ goal: GoalRecord | null; proof: Proof | null; origin: GoalOrigin | null }> {
  if (store === null || !(await store.has(goalId))) return { goal: null, proof: null, origin: null };
  const { goal } = await settleRecordedMerge(store, goalId);
  const events = store.eventLog(goalId);
  const proof = await readOrAssembleProof(store, goal, events);
  return { goal, proof, origin: await readOrigin(store, goalId) };
}

/** The goal's run in phases, from its events (empty phases when the goal is not there yet). */
export async function goalProgress(store: GoalStore | null, goalId: string): Promise<RunProgress> {
  if (store === null || !(await store.has(goalId))) return runProgress([]);
  const { events } = await store.eventLog(goalId).read();
  return runProgress(events);
}

/** A slice of the plan with its dependency wave: every slice of wave n may start once waves 0..n-1 are done. */
export interface SliceWave {
  slice: string;
  title: string;
  wave: number;
}

/** The plan's slices in dependency order, each with its wave (what a matrix of jobs runs). */
export async function sliceWaves(store: GoalStore, goalId: string): Promise<SliceWave[]> {
  const graph = await readVersioned(store.files, taskGraphVersioned, store.paths(goalId).taskGraph);
  return dependencyWaves(graph.tasks).flatMap((wave, index) =>
    wave.map((task) => ({ slice: task.id, title: task.title, wave: index })),
  );
}

/**
 * Whether a goal has ended, so its final summary can be shown: a terminal status, or a settled
 * outcome (ready, failed, blocked on a human) once nothing runs it any more (`settled`).
 */
export function goalHasEnded(goal: GoalRecord | null, settled: boolean): boolean {
  if (goal === null) return false;
  if (TERMINAL_STATUSES.includes(goal.status)) return true;
  return settled && ['ready', 'failed', 'blocked_on_human'].includes(goal.status);
}
