import type { z } from 'zod';
import type { changedFileSchema } from '../proof/schema.js';

export type ChangedFile = z.infer<typeof changedFileSchema>;

/** Where one slice's agent works: its own worktree (or, as a fallback, a branch checkout). */
export interface SliceWorkspace {
  sliceId: string;
  path: string;
  /** omk/<goal-id>/<slice-id> */
  branch: string;
  baseSha: string;
  mode: 'worktree' | 'sparse-worktree' | 'branch-checkout';
  /** Why a full or branch checkout was used instead of what was asked, or null. */
  fallbackReason: string | null;
}

export interface CapturedChange {
  /** False when the agent changed nothing: no commit is made. */
  committed: boolean;
  /** The slice branch head after capture (the base SHA when nothing changed). */
  headSha: string;
  changedFiles: ChangedFile[];
  /** Unified diff of the change (bounded; the full diff is an artifact). */
  diff: string;
}

export interface ResetResult {
  /** False when the workspace held nothing beyond the base (no patch is written). */
  diffSaved: boolean;
  /** The branch head before the reset. */
  previousHead: string;
}

export interface CreateWorkspaceInput {
  repoRoot: string;
  goalId: string;
  sliceId: string;
  baseSha: string;
  /** Directory under which workspaces are created (outside the repository). */
  workspaceRoot: string;
  /** Sparse cone paths (directories) when the slice's read/write sets allow; null = full checkout. */
  sparsePaths: readonly string[] | null;
}

/** The git side of execution, implemented by the git adapter (createGitWorkspaces). */
export interface WorkspacePort {
  create(input: CreateWorkspaceInput): Promise<SliceWorkspace>;
  /** Stages everything, commits with `message` when something changed, reports the change. */
  capture(workspace: SliceWorkspace, message: string): Promise<CapturedChange>;
  /**
   * Puts the workspace and its branch back at `workspace.baseSha` for a fresh attempt, after
   * writing what it held (commits since the base and uncommitted files) to `diffPath` as a patch.
   */
  resetToBase(workspace: SliceWorkspace, diffPath: string): Promise<ResetResult>;
  /** Removes the workspace (never the branch) and prunes worktree metadata. */
  remove(repoRoot: string, workspace: SliceWorkspace): Promise<void>;
  /** Removes stale index.lock / ref locks older than maxAgeMs; returns what was removed. */
  recoverStaleLocks(repoRoot: string, maxAgeMs: number): Promise<string[]>;
  /** Merges slice branches, in order, into `target` created at baseSha; stops at the first conflict. */
  integrate(input: IntegrateInput): Promise<IntegrationResult>;
  /**
   * Starts making the integration workspace in the background (while agents run, so integrating
   * does not begin with a checkout); `integrate` for the same goal picks it up. Failures are not
   * reported here: `integrate` opens it again and reports its own.
   */
  prepareIntegration(input: Omit<IntegrateInput, 'target' | 'branches'>): PreparedIntegration;
}

export interface PreparedIntegration {
  /** Nothing will be integrated: removes what the preparation made (nothing it found). */
  discard(): Promise<void>;
}

export interface IntegrateInput {
  repoRoot: string;
  workspaceRoot: string;
  goalId: string;
  baseSha: string;
  /** omk/<goal-id>/integration */
  target: string;
  /** Slice branches in dependency order. */
  branches: readonly string[];
}

export interface IntegrationResult {
  /** The integration workspace (a worktree on `target`), kept for gates to run in. */
  workspace: SliceWorkspace;
  headSha: string;
  merged: string[];
  conflict: { branch: string; paths: string[]; detail: string } | null;
  /** What the integrated tree changes from the base (as of headSha). */
  changedFiles: ChangedFile[];
  /** Unified diff from the base (bounded). */
  diff: string;
}
