import { lstat, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { SliceWorkspace } from '../../runtime/workspace/port.js';
import { runGit } from './run-git.js';
import { branchExists, CHECKOUT_TIMEOUT_MS, canonicalPath, errorMessage } from './worktree.js';

// The fallback when `git worktree add` is not possible: a clone of the repository beside the
// worktrees, on the slice branch. The branch is created in the main repository first and every
// capture fetches it back (fast-forward only), so the main repository always holds the work.

export interface BranchCheckoutInput {
  repoRoot: string;
  sliceId: string;
  branch: string;
  baseSha: string;
  path: string;
  reason: string;
}

export async function createBranchCheckout(input: BranchCheckoutInput): Promise<SliceWorkspace> {
  const { repoRoot, branch, path } = input;
  try {
    if (!(await branchExists(repoRoot, branch))) {
      await runGit(['branch', '--no-track', branch, input.baseSha], { cwd: repoRoot });
    }
    await mkdir(dirname(path), { recursive: true });
    // No --local: with it git refuses to copy when hard links are impossible (another filesystem).
    await runGit(['clone', '--quiet', '--no-checkout', '--no-tags', '--', repoRoot, path], {
      cwd: dirname(path),
      timeoutMs: CHECKOUT_TIMEOUT_MS,
    });
    await runGit(['checkout', '--quiet', '--no-track', '-b', branch, `refs/remotes/origin/${branch}`, '--'], {
      cwd: path,
      timeoutMs: CHECKOUT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new GitError(`Could not create a workspace for ${branch} at ${path}: ${errorMessage(error)}`, {
      cause: error,
      hint: `A worktree was not possible either (${input.reason}). Check the repository with 'git status' and 'git worktree list'.`,
    });
  }
  return {
    sliceId: input.sliceId,
    path,
    branch,
    baseSha: input.baseSha,
    mode: 'branch-checkout',
    fallbackReason: input.reason,
  };
}

/** The repository a branch checkout was cloned from, or null when `path` is not such a clone. */
export async function cloneOrigin(path: string, branch: string): Promise<string | null> {
  // A .git directory of its own (not a link to one, which lstat does not follow), so git below
  // neither wanders up into an enclosing repository nor reads one an agent put in its place.
  if ((await ownGitDir(path)) !== 'dir') return null;
  const head = await runGit(['symbolic-ref', '--quiet', 'HEAD'], { cwd: path, okExitCodes: [0, 1] });
  if (head.stdout.trim() !== `refs/heads/${branch}`) return null;
  const url = await runGit(['config', '--get', 'remote.origin.url'], { cwd: path, okExitCodes: [0, 1] });
  const origin = url.stdout.trim();
  return origin === '' ? null : canonicalPath(origin);
}

type GitDirKind = 'dir' | 'link' | 'file' | 'missing' | 'other';

async function ownGitDir(path: string): Promise<GitDirKind> {
  const info = await lstat(join(path, '.git')).catch(() => null);
  if (info === null) return 'missing';
  if (info.isDirectory()) return 'dir';
  return info.isSymbolicLink() ? 'link' : info.isFile() ? 'file' : 'other';
}

const REPLACED: Record<Exclude<GitDirKind, 'dir'>, string> = {
  link: 'is now a link',
  file: "is now a file (a 'gitdir:' line names the repository git would read)",
  missing: 'is gone (git would read an enclosing repository)',
  other: 'is no longer a directory',
};

/**
 * What became of a branch checkout's `.git` no longer the clone's own directory ("is now a link"),
 * or null: every
 * git call there would read the repository a link or a `gitdir:` file names (the agent's, with its
 * config and objects), so omk runs none, rather than put back a git directory whose content it
 * never kept. Worktrees pass: their `.git` file is checked by the integrity watch and by git's own
 * worktree pairing. Read without git (lstat).
 */
export async function gitDirReplaced(
  workspace: Pick<SliceWorkspace, 'path' | 'branch' | 'mode'>,
): Promise<string | null> {
  if (workspace.mode !== 'branch-checkout') return null;
  const kind = await ownGitDir(workspace.path);
  if (kind === 'dir') return null;
  return REPLACED[kind];
}

/** Refuses, before any git call, a branch checkout `gitDirReplaced` names. */
export async function assertOwnGitDir(
  workspace: Pick<SliceWorkspace, 'path' | 'branch' | 'mode'>,
): Promise<void> {
  const replaced = await gitDirReplaced(workspace);
  if (replaced === null) return;
  throw new GitError(
    `The branch checkout of ${workspace.branch} at ${workspace.path}: its .git ${replaced}; omk runs no git there.`,
    {
      hint: "Something in it (an agent) replaced the clone's git directory. The slice's captured work is on its branch in the repository: move that directory away, then resume the goal, which makes a fresh checkout.",
    },
  );
}

export async function isCloneOf(path: string, branch: string, repoRoot: string): Promise<boolean> {
  const origin = await cloneOrigin(path, branch);
  return origin !== null && origin === (await canonicalPath(repoRoot));
}

/** Brings the clone's branch into the main repository; fast-forward only, never forced. */
export async function fetchBack(workspace: SliceWorkspace): Promise<void> {
  const origin = await cloneOrigin(workspace.path, workspace.branch);
  if (origin === null) {
    throw new GitError(`${workspace.path} is no longer a checkout of ${workspace.branch}.`, {
      hint: 'Check the branch out there again so omk can bring its commits back.',
    });
  }
  const ref = `refs/heads/${workspace.branch}`;
  await runGit(['fetch', '--quiet', '--no-tags', '--', workspace.path, `${ref}:${ref}`], { cwd: origin });
}

/** Refreshes the clone's view of the goal's branches in the main repository (for integration). */
export async function fetchGoalBranches(workspace: SliceWorkspace, goalId: string): Promise<void> {
  await assertOwnGitDir(workspace);
  const pattern = `refs/heads/omk/${goalId}/*`;
  // '+' here only moves the clone's own remote-tracking refs, never a branch anyone works on.
  await runGit(
    ['fetch', '--quiet', '--no-tags', 'origin', `+${pattern}:refs/remotes/origin/omk/${goalId}/*`],
    { cwd: workspace.path },
  );
}

/** Deletes the clone once its branch is safely in the main repository; a missing one is a no-op. */
export async function removeBranchCheckout(repoRoot: string, workspace: SliceWorkspace): Promise<void> {
  try {
    await stat(workspace.path);
  } catch {
    return;
  }
  if (!(await isCloneOf(workspace.path, workspace.branch, repoRoot))) {
    throw new GitError(
      `Refusing to delete ${workspace.path}: it is not omk's checkout of ${workspace.branch}.`,
      {
        hint: 'Remove that directory yourself if it is no longer needed.',
      },
    );
  }
  await fetchBack(workspace);
  await rm(workspace.path, { recursive: true, force: true });
}
