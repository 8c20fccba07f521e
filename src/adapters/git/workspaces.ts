import { GitError } from '../../runtime/errors.js';
import { INTEGRATION_ID } from '../../runtime/graph/branches.js';
import { createSerializer } from '../../runtime/serialize.js';
import type { CreateWorkspaceInput, SliceWorkspace, WorkspacePort } from '../../runtime/workspace/port.js';
import { adoptRecordedHeads } from './adopt-heads.js';
import { cloneOrigin, gitDirReplaced, removeBranchCheckout } from './branch-checkout.js';
import { captureChange, DEFAULT_DIFF_LIMIT_BYTES } from './capture.js';
import { DEFAULT_IDENTITY, type GitIdentity } from './identity.js';
import { integrateBranches, mergeForRepair, openIntegration } from './integrate.js';
import { openWorkspace } from './open-workspace.js';
import { movingOwnBranch } from './own-heads.js';
import { createPreparedIntegrations } from './prepared-integration.js';
import { assertOmkBranch } from './refs.js';
import { sleep } from './register-retry.js';
import { resetToBase } from './reset.js';
import { clearWorkspaceLocks, recoverStaleLocks } from './stale-locks.js';
import { canonicalPath, createMemo, removeWorktree } from './worktree.js';

export interface GitWorkspacesOptions {
  /** Author and committer of captures and integration merges (default omk <omk@localhost>). */
  identity?: GitIdentity;
  /** Skip `git worktree add` and use the branch-checkout fallback (tests; hosts without worktrees). */
  forceFallback?: boolean;
  /** Bound on `CapturedChange.diff` (default 200 KiB). */
  diffLimitBytes?: number;
  /** Clock for stale-lock ages. */
  now?: () => number;
  /** Waits before a failed `git worktree add` is tried again (tests: a fault cleared meanwhile). */
  pause?: (ms: number) => Promise<void>;
}

/**
 * The git side of execution. One instance per process: it keeps worktree registrations of a
 * repository from overlapping, which git does not survive (see worktree.ts).
 */
export function createGitWorkspaces(options: GitWorkspacesOptions = {}): WorkspacePort {
  const identity = options.identity ?? DEFAULT_IDENTITY;
  const diffLimitBytes = options.diffLimitBytes ?? DEFAULT_DIFF_LIMIT_BYTES;
  const now = options.now ?? Date.now;
  const serialize = createSerializer();
  const memo = createMemo();
  const open = (input: CreateWorkspaceInput): Promise<SliceWorkspace> =>
    openWorkspace(input, {
      forceFallback: options.forceFallback === true,
      serialize,
      memo,
      pause: options.pause ?? sleep,
    });
  const prepared = createPreparedIntegrations({ open, serialize });
  return {
    async create(input) {
      if (input.sliceId === INTEGRATION_ID) {
        throw new GitError(`Slice id "${INTEGRATION_ID}" is reserved for the goal's integration branch.`, {
          hint: 'Rename the slice in the plan.',
        });
      }
      return open(input);
    },
    capture: async (workspace, message) =>
      movingOwnBranch(
        { cwd: await branchHome(workspace), branch: workspace.branch },
        () => captureChange(workspace, message, { identity, diffLimitBytes }),
        (change) => change.headSha,
      ),
    resetToBase: async (workspace, diffPath) =>
      movingOwnBranch(
        { cwd: await branchHome(workspace), branch: workspace.branch },
        () => resetToBase(workspace, diffPath),
        () => workspace.baseSha,
      ),
    async remove(repoRoot, workspace) {
      assertOmkBranch(workspace.branch);
      if (workspace.mode === 'branch-checkout') return removeBranchCheckout(repoRoot, workspace);
      const key = await canonicalPath(repoRoot);
      return serialize(key, () => removeWorktree(repoRoot, workspace));
    },
    recoverStaleLocks: (repoRoot, maxAgeMs) => recoverStaleLocks(repoRoot, maxAgeMs, now),
    clearLocks: (workspace) => clearWorkspaceLocks(workspace),
    gitDirReplaced: (workspace) => gitDirReplaced(workspace),
    prepareIntegration: (input) => prepared.prepare(input),
    openIntegration: (input) => openIntegration(input, open),
    integrate: (input) =>
      movingOwnBranch(
        { cwd: input.repoRoot, branch: input.target },
        () => integrateBranches(input, { open, identity, diffLimitBytes, prepared: prepared.take(input) }),
        (result) => (result.conflict === null ? result.headSha : null),
      ),
    mergeForRepair: async (workspace, goalId, merge) =>
      movingOwnBranch(
        { cwd: await branchHome(workspace), branch: workspace.branch },
        () => mergeForRepair(workspace, goalId, merge, identity),
        () => null,
      ),
    adoptRecordedHeads,
  };
}

/**
 * Where the branch a workspace moves is kept, as own-heads.ts knows it: a branch checkout's is the
 * repository it was cloned from (each capture is fetched back there, where the runs' checks
 * compare it), whatever mode the workspace was handed as; a worktree's is its own checkout.
 */
async function branchHome(workspace: SliceWorkspace): Promise<string> {
  return (await cloneOrigin(workspace.path, workspace.branch)) ?? workspace.path;
}

export const gitWorkspaces: WorkspacePort = createGitWorkspaces();
