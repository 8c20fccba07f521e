/**
 * The forge port: what delivery needs from GitHub (or the local forge used by the CLI and the
 * demo). The runtime never knows which one it talks to. Expected refusals are returned outcomes;
 * transport failures are ForgeError.
 */

import type { ReviewReplies } from './review-replies.js';

export interface RepoCoordinates {
  owner: string;
  name: string;
}

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  /** Head branch name (omk/<goal>/<slice>). */
  head: string;
  headSha: string;
  /** Base branch name. */
  base: string;
  baseSha: string;
  draft: boolean;
  state: 'open' | 'closed' | 'merged';
  labels: string[];
  /** null while GitHub is still computing it. */
  mergeable: boolean | null;
  /** The commit a merged PR landed as (GitHub's `merge_commit_sha`); null or absent otherwise. */
  mergeSha?: string | null;
  /** Set by createPullRequest when the PR already existed (found, then updated): a recovery. */
  reused?: boolean;
}

export interface PullRequestSpec {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
}

export interface Annotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckRunSpec {
  /** Always `omk/proof` for proofs. */
  name: string;
  headSha: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  /** Markdown (the proof), at most 65,535 characters. */
  summary: string;
  annotations: Annotation[];
  /** Stable id so a retry finds the run it already created: `<goal>:<slice>:<sha>`. */
  externalId: string;
}

export interface CheckRunRef {
  id: number;
  url: string;
}

/** A check run as its creator left it: who made it and what it says (the `omk/proof` run is judged). */
export interface CheckRunRecord {
  id: number;
  name: string;
  /** The GitHub App that created it (GitHub Actions is 15368); null when the forge has no apps. */
  appId: number | null;
  appSlug: string | null;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

/** One check or status context on a commit, normalized. */
export interface CheckState {
  name: string;
  /** pending covers queued/in_progress check runs and pending statuses. */
  state: 'pending' | 'success' | 'failure' | 'neutral' | 'skipped';
  source: 'check_run' | 'status';
}

/** What a commit's checks say: normalized states, and the check runs themselves (omk/proof is judged). */
export interface CommitChecks {
  states: CheckState[];
  runs: CheckRunRecord[];
}

export interface BranchProtection {
  /** Required status check contexts; empty when none are required. */
  requiredContexts: string[];
  /** Required approving reviews (0 when reviews are not required). */
  requiredApprovals: number;
}

export interface ReviewSummary {
  approvals: number;
  changesRequested: boolean;
}

/** How an integrator PR may be merged: the one list every front door offers. */
export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

/** The commit message omk asks a squash merge for, in place of the forge's default. */
export interface MergeMessage {
  title: string;
  body: string;
}

export type MergeOutcome =
  | { merged: true; sha: string }
  /** head_moved: the head is no longer the SHA we evaluated (409); not_mergeable: 405/422. */
  | { merged: false; reason: 'head_moved' | 'not_mergeable'; detail: string };

export interface PushSpec {
  /** Local repository to push from. */
  repoRoot: string;
  branch: string;
  sha: string;
  /** When the remote branch may exist with other content: push with --force-with-lease=<branch>:<expected>. Only omk/* branches. */
  expectedRemoteSha?: string | null;
}

export interface Forge {
  readonly kind: 'github' | 'local';
  readonly repo: RepoCoordinates;
  /** Pushes a branch; never forces a non-omk branch. Not an API call. */
  push(spec: PushSpec): Promise<void>;
  /** The open PR whose head is `head`, if any. */
  findPullRequest(head: string): Promise<PullRequest | null>;
  /** Creates a PR; when one already exists for the head (422), returns that one updated. */
  createPullRequest(spec: PullRequestSpec): Promise<PullRequest>;
  updatePullRequest(
    number: number,
    change: { title?: string; body?: string; base?: string },
  ): Promise<PullRequest>;
  getPullRequest(number: number): Promise<PullRequest>;
  /**
   * Marks an open draft PR ready for review (on GitHub through GraphQL: REST cannot) and returns
   * the PR as it is then. A PR that is not an open draft is returned as it is: nothing here ever
   * turns a PR into a draft.
   */
  markReadyForReview(number: number): Promise<PullRequest>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  /** Removes one label; a label the PR does not have is not an error. */
  removeLabel(number: number, label: string): Promise<void>;
  /** The check run named `name` on `sha` with this external id, if one exists (crash recovery only). */
  findCheckRun(sha: string, name: string, externalId: string): Promise<CheckRunRef | null>;
  /** Creates the check run, or updates the one with `id` (known from state). */
  upsertCheckRun(spec: CheckRunSpec, id: number | null): Promise<CheckRunRef>;
  /**
   * The GitHub App omk's own check runs are created as (the bot's APP_ID; 15368, GitHub Actions,
   * for a workflow's token); null on a forge with no apps (the local forge).
   */
  readonly checkAppId: number | null;
  /**
   * Check runs and commit statuses on a commit (one listing): their states, and the check runs as
   * their creators left them (the newest of each name from each app), newest first.
   */
  checks(sha: string): Promise<CommitChecks>;
  /** null when protection cannot be read (no permission) or the branch is unprotected. */
  branchProtection(branch: string): Promise<BranchProtection | null>;
  reviews(number: number): Promise<ReviewSummary>;
  /** Merges pinned to `sha`: a push after evaluation fails safely. */
  merge(number: number, sha: string, method: MergeMethod, message?: MergeMessage): Promise<MergeOutcome>;
  /**
   * Answers to a fix's requests in their review threads (GitHub); absent on a forge without
   * threads (the local forge). A run that ends a fix with no answerer of its own uses this one.
   */
  readonly replies?: ReviewReplies;
}
