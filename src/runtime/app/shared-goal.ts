import { relocateGoal } from '../goal/actions.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { RemoteStateStore } from '../state/remote.js';

/** A goal brought from the shared state (the state branch), or why it is not there. */
export type SharedGoal =
  | { found: true; goal: GoalRecord; commit: string }
  | { found: false; missing: 'branch' | 'goal' };

/**
 * Pulls goal `goalId` from the shared state into the local store. With `repoRoot`, a goal another
 * machine created is pointed at this machine's checkout.
 */
export async function pullSharedGoal(
  store: GoalStore,
  remote: RemoteStateStore,
  goalId: string,
  options: { repoRoot?: string } = {},
): Promise<SharedGoal> {
  const commit = await remote.pull(goalId);
  if (commit === null) return { found: false, missing: 'branch' };
  if (!(await store.has(goalId))) return { found: false, missing: 'goal' };
  const goal =
    options.repoRoot === undefined
      ? await store.read(goalId)
      : await relocateGoal(store, goalId, options.repoRoot);
  return { found: true, goal, commit };
}

/**
 * Pulls what a goal reference needs from the shared state: the goal by its whole id, else every
 * goal on the branch (`latest` or a prefix is then resolved among them). The commit, or null when
 * the branch does not exist yet.
 */
export async function pullSharedGoals(
  store: GoalStore,
  remote: RemoteStateStore,
  wanted: string | null,
): Promise<string | null> {
  const commit = await remote.pull(wanted);
  if (commit !== null && wanted !== null && !(await store.has(wanted))) return remote.pull(null);
  return commit;
}
