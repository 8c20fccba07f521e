import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { Serialize } from '../../runtime/serialize.js';
import type { CreateWorkspaceInput, SliceWorkspace } from '../../runtime/workspace/port.js';
import { createBranchCheckout, isCloneOf } from './branch-checkout.js';
import { assertSha, normalizeSparsePaths, sliceBranch, workspacePath } from './refs.js';
import { registerWithRetry } from './register-retry.js';
import { runGit } from './run-git.js';
import {
  branchExists,
  canonicalPath,
  configureSparse,
  discardWorktree,
  errorMessage,
  isSparse,
  listWorktrees,
  type Memo,
  pathKind,
  populateWorktree,
  registerWorktree,
} from './worktree.js';

export interface OpenDeps {
  forceFallback: boolean;
  /** Keeps worktree registrations (and removals) of one repository from overlapping. */
  serialize: Serialize;
  /**
   * Remembers facts that do not change while omk runs (a commit's full SHA, whether the
   * repository's own worktree is sparse), so a wave's slices ask git once, not once each.
   */
  memo: Memo;
  /** Waits before `git worktree add` is tried again (register-retry.ts). */
  pause: (ms: number) => Promise<void>;
}

type Registration =
  | { kind: 'ready'; workspace: SliceWorkspace }
  | { kind: 'registered'; workspace: SliceWorkspace }
  | { kind: 'fallback'; reason: string };

/** Creates the workspace, or finds the one an earlier run created and hands it back untouched. */
export async function openWorkspace(input: CreateWorkspaceInput, deps: OpenDeps): Promise<SliceWorkspace> {
  const branch = sliceBranch(input.goalId, input.sliceId);
  assertSha(input.baseSha);
  const sparseDirs = normalizeSparsePaths(input.sparsePaths);
  const { repoRoot, sliceId } = input;
  const key = await canonicalPath(repoRoot);
  const baseSha = await deps.memo(`commit\0${key}\0${input.baseSha}`, () =>
    resolveCommit(repoRoot, input.baseSha),
  );
  const path = workspacePath(input.workspaceRoot, input.goalId, sliceId);
  const spec: WorkspaceSpec = { repoRoot, sliceId, branch, baseSha, path };

  // A new slice needs only `worktree add -b` under the lock. It fails, leaving nothing behind, when
  // the branch exists; then the checks for an earlier run's workspace (which list every worktree)
  // find out what is there.
  const fresh = (await pathKind(path)) === 'missing';
  const registration = await deps.serialize(key, async (): Promise<Registration> => {
    if (fresh && !deps.forceFallback) {
      try {
        return { kind: 'registered', workspace: await registerWorktree({ ...spec, createBranch: true }) };
      } catch {
        // Something appeared meanwhile (or git refuses): the careful path below finds out which.
      }
    }
    const exists = await branchExists(repoRoot, branch);
    if (exists) await assertContainsBase(repoRoot, branch, baseSha);
    const found = await findExisting(spec, sparseDirs !== null);
    if (found) return { kind: 'ready', workspace: found };
    if (deps.forceFallback)
      return { kind: 'fallback', reason: 'worktrees disabled by the forceFallback option' };
    return registerWithRetry(spec, deps.pause);
  });
  if (registration.kind === 'ready') return registration.workspace;
  if (registration.kind === 'fallback') return createBranchCheckout({ ...spec, reason: registration.reason });
  // The sparse cone and the checkout run outside the lock, so slices of one wave set up in parallel.
  try {
    // `worktree add` copies the sparse cone of the worktree it runs in (the repository's own).
    const inheritsSparse = () => deps.memo(`sparse\0${key}`, () => isSparse(repoRoot));
    const workspace = await configureSparse(registration.workspace, sparseDirs, inheritsSparse);
    await populateWorktree(workspace);
    return workspace;
  } catch (error) {
    await deps.serialize(key, () => discardWorktree(repoRoot, path));
    return createBranchCheckout({
      ...spec,
      reason: `checking out the worktree failed: ${errorMessage(error)}`,
    });
  }
}

interface WorkspaceSpec {
  repoRoot: string;
  sliceId: string;
  branch: string;
  baseSha: string;
  path: string;
}

async function findExisting(spec: WorkspaceSpec, sparseWanted: boolean): Promise<SliceWorkspace | null> {
  const { repoRoot, branch, path } = spec;
  const wanted = await canonicalPath(path);
  const ref = `refs/heads/${branch}`;
  let worktrees = await listWorktrees(repoRoot);
  if (worktrees.some((tree) => tree.prunable && (tree.path === wanted || tree.branch === ref))) {
    // Metadata of a worktree whose directory was deleted would block both the path and the branch.
    await runGit(['worktree', 'prune'], { cwd: repoRoot });
    worktrees = await listWorktrees(repoRoot);
  }
  const atPath = worktrees.find((tree) => tree.path === wanted);
  if (atPath) {
    if (atPath.branch !== ref) {
      throw new GitError(`${path} is a worktree on ${atPath.branch ?? 'a detached HEAD'}, not ${branch}.`, {
        hint: `Remove it ('git worktree remove ${path}') or choose another workspace root.`,
      });
    }
    if ((await pathKind(path)) !== 'dir') {
      throw new GitError(`${path} is registered as a worktree but its directory is gone.`, {
        hint: `Run 'git worktree unlock ${path}' and 'git worktree prune' in ${repoRoot}.`,
      });
    }
    return reuseWorktree(spec, sparseWanted);
  }
  const elsewhere = worktrees.find((tree) => tree.branch === ref);
  if (elsewhere) {
    throw new GitError(`${branch} is already checked out at ${elsewhere.path}.`, {
      hint: `Use the same workspace root as the earlier run, or remove that worktree ('git worktree remove ${elsewhere.path}').`,
    });
  }
  const kind = await pathKind(path);
  if (kind === 'missing' || kind === 'empty-dir') return null;
  if (kind === 'dir' && (await isCloneOf(path, branch, repoRoot))) {
    return toWorkspace(spec, 'branch-checkout', 'reusing the branch checkout of an earlier run');
  }
  throw new GitError(`${path} already exists and is not omk's workspace for ${branch}.`, {
    hint: 'Move it away, or choose another workspace root.',
  });
}

async function reuseWorktree(spec: WorkspaceSpec, sparseWanted: boolean): Promise<SliceWorkspace> {
  let sparse = await isSparse(spec.path);
  if (!(await hasIndex(spec.path))) {
    // An earlier run stopped between registering and checking out: no agent has worked here yet.
    await populateWorktree(toWorkspace(spec, 'worktree', null));
  }
  if (sparse && !sparseWanted) {
    // Widening only adds files, so it is safe on a worktree that may hold unfinished work.
    await runGit(['sparse-checkout', 'disable'], { cwd: spec.path });
    sparse = false;
  }
  const fallbackReason =
    sparseWanted && !sparse ? 'reusing the full worktree of an earlier run instead of a sparse one' : null;
  return toWorkspace(spec, sparse ? 'sparse-worktree' : 'worktree', fallbackReason);
}

function toWorkspace(
  spec: WorkspaceSpec,
  mode: SliceWorkspace['mode'],
  fallbackReason: string | null,
): SliceWorkspace {
  const { sliceId, path, branch, baseSha } = spec;
  return { sliceId, path, branch, baseSha, mode, fallbackReason };
}

async function resolveCommit(repoRoot: string, sha: string): Promise<string> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  if (result.exitCode !== 0) {
    throw new GitError(`Base commit ${sha} is not in the repository at ${repoRoot}.`, {
      hint: 'Fetch it first, or plan the goal again from the current HEAD.',
    });
  }
  return result.stdout.trim();
}

async function assertContainsBase(repoRoot: string, branch: string, baseSha: string): Promise<void> {
  const result = await runGit(['merge-base', '--is-ancestor', baseSha, `refs/heads/${branch}`], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  if (result.exitCode !== 0) {
    throw new GitError(`${branch} already exists but is not based on ${baseSha}; omk will not rewrite it.`, {
      hint: `Resume the goal from its original base, or delete the branch yourself ('git branch -D ${branch}') if its work is not needed.`,
    });
  }
}

async function hasIndex(worktreePath: string): Promise<boolean> {
  const { stdout } = await runGit(['rev-parse', '--git-path', 'index'], { cwd: worktreePath });
  try {
    return (await stat(resolve(worktreePath, stdout.trim()))).isFile();
  } catch {
    return false;
  }
}
