import type { MergeMethod, MergeOutcome } from '../../runtime/forge/port.js';
import { mergeTree } from './commits.js';
import { commitEnv, type GitIdentity } from './identity.js';
import { runGit } from './run-git.js';

export interface AdvanceBranchInput {
  repoRoot: string;
  /** The branch to advance (a pull request's base). */
  branch: string;
  /** Where `branch` is now; it is moved only from there. */
  from: string;
  /** The commit to bring in (a pull request's head). */
  head: string;
  method: MergeMethod;
  /** The message of a merge or squash commit. */
  message: string;
  identity: GitIdentity;
}

/**
 * Brings `head` into `branch` in the repository itself: a fast-forward when the method is merge and
 * `head` contains `from`, else a merge commit (merge) or a single-parent commit (squash, rebase)
 * built with merge-tree. A checkout of `branch` is updated only when it has no uncommitted
 * changes; otherwise only the ref moves, and only from `from`. No other checkout is touched.
 */
export async function advanceBranch(input: AdvanceBranchInput): Promise<MergeOutcome> {
  const env = commitEnv(input.identity);
  const git = (args: string[], okExitCodes?: number[]) =>
    runGit(args, { cwd: input.repoRoot, env, ...(okExitCodes === undefined ? {} : { okExitCodes }) });
  const checkedOut =
    (await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], [0, 1])).stdout.trim() === input.branch;
  const fastForward =
    (await git(['merge-base', '--is-ancestor', input.from, input.head], [0, 1])).exitCode === 0;
  let target = input.head;
  if (!fastForward || input.method !== 'merge') {
    const tree = await mergeTree(input.repoRoot, input.from, input.head);
    if (tree === null) return { merged: false, reason: 'not_mergeable', detail: 'the branches conflict' };
    const parents = input.method === 'merge' ? ['-p', input.from, '-p', input.head] : ['-p', input.from];
    target = (await git(['commit-tree', tree, ...parents, '-m', input.message])).stdout.trim();
  }
  if (checkedOut) {
    const dirty = (await git(['status', '--porcelain', '--untracked-files=no'])).stdout.trim();
    if (dirty) {
      return {
        merged: false,
        reason: 'not_mergeable',
        detail: `${input.branch} is checked out with uncommitted changes`,
      };
    }
    await git(['merge', '--ff-only', '--quiet', target]);
  } else {
    await git(['update-ref', `refs/heads/${input.branch}`, target, input.from]);
  }
  return { merged: true, sha: target };
}
