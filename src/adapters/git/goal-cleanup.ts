import { rm, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { GoalCleaner } from '../../runtime/app/deps.js';
import { GitError } from '../../runtime/errors.js';
import { GOAL_ID_PATTERN } from '../../runtime/goal/ids.js';
import { goalBranchPrefix } from '../../runtime/graph/branches.js';
import { runGit } from './run-git.js';
import { canonicalPath, listWorktrees } from './worktree.js';

function checkGoalId(goalId: string): void {
  if (!GOAL_ID_PATTERN.test(goalId)) throw new GitError(`'${goalId}' is not a goal id.`);
}

/**
 * Removes only what omk made for one goal: a worktree counts when it sits under the goal's folder
 * of omk's worktree root AND is on one of the goal's omk/<goal-id>/ branches; branches only in
 * that namespace. A worktree the user made, or one on another branch, is never touched.
 */
export const gitGoalCleaner: GoalCleaner = {
  async removeWorktrees(repoRoot, goalId, workspaceRoot) {
    checkGoalId(goalId);
    const folder = `${await canonicalPath(join(workspaceRoot, goalId))}${sep}`;
    const prefix = `refs/heads/${goalBranchPrefix(goalId)}`;
    const removed: string[] = [];
    for (const entry of await listWorktrees(repoRoot)) {
      if (!entry.path.startsWith(folder) || !entry.branch?.startsWith(prefix)) continue;
      await runGit(['worktree', 'remove', '--force', '--', entry.path], { cwd: repoRoot });
      removed.push(entry.path);
    }
    await runGit(['worktree', 'prune'], { cwd: repoRoot });
    return removed;
  },

  async deleteBranches(repoRoot, goalId) {
    checkGoalId(goalId);
    const { stdout } = await runGit(
      ['for-each-ref', '--format=%(refname:short)', `refs/heads/${goalBranchPrefix(goalId)}`],
      { cwd: repoRoot },
    );
    const branches = stdout.split('\n').filter((branch) => branch !== '');
    if (branches.length > 0) await runGit(['branch', '--quiet', '-D', '--', ...branches], { cwd: repoRoot });
    return branches;
  },

  async removeCache(dir) {
    checkGoalId(basename(dir));
    if ((await stat(dir).catch(() => null)) === null) return false;
    await rm(dir, { recursive: true, force: true });
    return true;
  },
};
