import { BusyError } from '../errors.js';
import { controllerAlive } from '../goal/actions.js';
import { goalsIn, type RepoScope } from '../goal/repo-scope.js';
import type { GoalRecord } from '../goal/schema.js';
import { goalCacheDir, integrationCacheDir, workspacesDir } from '../state/paths.js';
import type { AppDeps } from './deps.js';

/** Goals whose branches are no longer needed: nothing will be delivered or merged from them. */
const DONE_WITH_BRANCHES: readonly GoalRecord['status'][] = ['merged', 'cancelled', 'rejected'];

export interface CleanOutcome {
  goalId: string;
  worktrees: string[];
  branches: string[];
  /** Whether the goal's branches were kept because it is not merged, cancelled or rejected yet. */
  branchesKept: boolean;
  /** Whether the goal's cache directory under the state root was there and is now removed. */
  cache: boolean;
}

/**
 * `clean`: removes the worktrees omk made for a goal that is not running and its cache directory
 * under the state root (a later run makes them again), and its omk/<goal-id>/* branches once the goal is merged, cancelled or rejected (until
 * then they carry the work its PRs show). Nothing omk did not make is touched. Recorded as an event.
 */
export async function cleanGoal(
  deps: AppDeps,
  goalId: string,
  options: { branches: boolean } = { branches: true },
): Promise<CleanOutcome> {
  const { store } = deps;
  return store.withGoalLock(goalId, async () => {
    const goal = await store.read(goalId);
    if (goal.status === 'running' && controllerAlive(store, goal)) {
      throw new BusyError(`Goal ${goalId} is running; its worktrees are in use.`, {
        hint: ['Clean it once it has settled: see ', { step: 'status', goalId }, '.'],
      });
    }
    const { cleaner } = deps.execution;
    const worktrees = await cleaner.removeWorktrees(
      goal.repo.root,
      goalId,
      workspacesDir(store.deps.stateRoot),
    );
    const branchesKept = !DONE_WITH_BRANCHES.includes(goal.status);
    const branches =
      options.branches && !branchesKept ? await cleaner.deleteBranches(goal.repo.root, goalId) : [];
    // What the goal's worktrees shared (build output, download caches) and the integration's own
    // build cache; not omk's shared cache of node_modules, which other goals link to.
    const caches = [goalCacheDir, integrationCacheDir].map((dir) => dir(store.deps.stateRoot, goalId));
    const removed = await Promise.all(caches.map((dir) => cleaner.removeCache(dir)));
    const cache = removed.some(Boolean);
    await store
      .eventLog(goalId)
      .append([{ type: 'goal_cleaned', data: { worktrees: worktrees.length, branches, cache } }]);
    return { goalId, worktrees, branches, branchesKept, cache };
  });
}

/**
 * `clean --all`: every goal of `scope`'s repository (null: of every repository) that is not
 * running, each as `cleanGoal` does it.
 */
export async function cleanAllGoals(deps: AppDeps, scope: RepoScope | null): Promise<CleanOutcome[]> {
  const outcomes: CleanOutcome[] = [];
  for (const goal of goalsIn(await deps.store.list(), scope)) {
    if (goal.status !== 'running') outcomes.push(await cleanGoal(deps, goal.id));
  }
  return outcomes;
}
