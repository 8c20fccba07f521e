import { z } from 'zod';
import { type Proof, proofVersioned } from '../proof/schema.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, singleVersion, writeJsonAtomic } from '../state/versioned.js';
import type { GoalRecord } from './schema.js';
import type { GoalStore } from './store.js';

/** failure.json: why a goal stopped (cancelled, blocked on a human, failed). */
export const failureSchema = z.object({
  version: z.literal(1),
  status: z.enum(['cancelled', 'blocked_on_human', 'failed', 'interrupted']),
  at: z.string(),
  reason: z.string(),
  humanDecisions: z.array(z.string()),
});
export type FailureRecord = z.infer<typeof failureSchema>;
export const failureVersioned = singleVersion('failure.json', 1, failureSchema);

export function writeFailure(
  files: StateFiles,
  path: string,
  record: Omit<FailureRecord, 'version'>,
): Promise<void> {
  return writeJsonAtomic(files, path, failureSchema.parse({ version: 1, ...record }));
}

/** Why a failed proof failed, in one line: its failures first, else its gaps. */
export function failedReason(proof: Pick<Proof, 'failures' | 'knownGaps'>): string {
  const reasons = [...proof.failures.map((f) => f.message), ...proof.knownGaps.map((g) => g.message)];
  return reasons.length > 0 ? reasons.join('; ') : 'the goal failed';
}

/**
 * A goal that settled as `failed` says why in failure.json, as a cancelled or blocked one does.
 * Under the goal lock, and only while the goal is still failed (a cancel since then wrote its own).
 */
export async function recordFailedGoal(store: GoalStore, goalId: string): Promise<boolean> {
  const paths = store.paths(goalId);
  return store.withGoalLock(goalId, async () => {
    if ((await store.read(goalId)).status !== 'failed') return false;
    const proof = await readVersioned(store.files, proofVersioned, paths.proof);
    await writeFailure(store.files, paths.failure, {
      status: 'failed',
      at: store.deps.clock.nowIso(),
      reason: failedReason(proof),
      humanDecisions: proof.humanDecisions,
    });
    return true;
  });
}

/**
 * A goal settles `failed` (goal.json) and then writes failure.json: a process killed between the
 * two left a failed goal without one. Paths that decide from a goal's status (`goal status`, the
 * Action's and the bot's next step on a shared goal) write it then, once. True when written.
 */
export async function catchUpFailureRecord(
  store: GoalStore,
  goal: Pick<GoalRecord, 'id' | 'status'>,
): Promise<boolean> {
  if (goal.status !== 'failed') return false;
  const paths = store.paths(goal.id);
  if ((await store.files.exists(paths.failure)) || !(await store.files.exists(paths.proof))) return false;
  return recordFailedGoal(store, goal.id);
}
