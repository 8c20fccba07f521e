import { GitError } from '../../runtime/errors.js';
import { GOAL_ID_PATTERN } from '../../runtime/goal/ids.js';
import { goalBranchPrefix } from '../../runtime/graph/branches.js';
import { runGit } from './run-git.js';

/**
 * Fetches every omk/<goal-id>/* branch from the remote into the same local names, so a matrix
 * runner can build on, or integrate, slices other runners pushed. Only omk's own namespace is
 * written; `env` carries push/fetch auth (an http.extraheader in GIT_CONFIG_* variables).
 */
export async function fetchGoalBranches(
  repoRoot: string,
  goalId: string,
  options: { remote?: string; env?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  if (!GOAL_ID_PATTERN.test(goalId)) throw new GitError(`'${goalId}' is not a goal id.`);
  const prefix = goalBranchPrefix(goalId);
  const refspec = `+refs/heads/${prefix}*:refs/heads/${prefix}*`;
  // --update-head-ok is not needed: omk never checks out its own branches in the main worktree.
  await runGit(
    ['fetch', '--quiet', '--no-tags', '--recurse-submodules=no', options.remote ?? 'origin', refspec],
    {
      cwd: repoRoot,
      env: options.env,
    },
  );
}
