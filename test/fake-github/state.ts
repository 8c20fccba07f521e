/**
 * Everything the fake GitHub remembers that is not in the bare repository. Git data (branch
 * heads, commits, merges) always lives in the bare repo and is read at request time.
 */

import { ACTIONS_APP, type FakeApp } from './shapes.js';

export type { FakeApp } from './shapes.js';

export interface FakePull {
  number: number;
  title: string;
  body: string;
  /** Head branch name (same repository; forks are not modelled). */
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged: boolean;
  author: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /**
   * Last known head/base SHAs: refreshed from the bare repo on every read while the PR is open,
   * frozen once it is closed or merged (the branches may move or vanish later).
   */
  headSha: string;
  baseSha: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  author: string;
  labels: string[];
  createdAt: string;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  externalId: string;
  detailsUrl: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: FakeAnnotation[];
  /** The app that created it: the token's app for runs made through the API. */
  app: FakeApp;
  startedAt: string;
  completedAt: string | null;
}

export type StatusState = 'error' | 'failure' | 'pending' | 'success';

export interface FakeStatus {
  id: number;
  sha: string;
  context: string;
  state: StatusState;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING' | 'DISMISSED';

export interface FakeReview {
  id: number;
  pullNumber: number;
  user: string;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: string;
}

/** A comment on a line of a PR's diff; replies name the thread's first comment. */
export interface FakeReviewComment {
  id: number;
  pullNumber: number;
  reviewId: number;
  user: string;
  path: string;
  line: number;
  body: string;
  commitId: string;
  inReplyTo: number | null;
  createdAt: string;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeReaction {
  id: number;
  commentId: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
}

export interface FakeProtection {
  /** Required status check contexts (check run names or status contexts). */
  requiredContexts: string[];
  requiredApprovals: number;
  /** Require branches to be up to date before merging. */
  strict?: boolean;
  /** When false, an admin's API merge bypasses the rules, as on GitHub. Default true. */
  enforceAdmins?: boolean;
}

export interface FakeDispatch {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  user: string;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeState {
  pulls: Map<number, FakePull>;
  issues: Map<number, FakeIssue>;
  checkRuns: FakeCheckRun[];
  /** The app check runs created through the API belong to (GitHub Actions by default). */
  app: FakeApp;
  statuses: FakeStatus[];
  reviews: FakeReview[];
  comments: FakeComment[];
  reviewComments: FakeReviewComment[];
  /** Review threads resolved (through GraphQL): the thread's first comment id → who resolved it. */
  resolvedThreads: Map<number, string>;
  reactions: FakeReaction[];
  labels: Map<string, FakeLabel>;
  /** Branch name → protection; `'forbidden'` answers 403 as for a token without admin rights. */
  protection: Map<string, FakeProtection | 'forbidden'>;
  dispatches: FakeDispatch[];
  permissions: Map<string, Permission>;
  /** The next N reads of a pull request report `mergeable: null` (GitHub still computing). */
  mergeableUnknownReads: number;
  /** The repository's allowed merge methods (allow_merge_commit, allow_squash_merge, allow_rebase_merge). */
  mergeMethods: { merge: boolean; squash: boolean; rebase: boolean };
}

export function createState(): FakeState {
  return {
    pulls: new Map(),
    issues: new Map(),
    checkRuns: [],
    app: ACTIONS_APP,
    statuses: [],
    reviews: [],
    comments: [],
    reviewComments: [],
    resolvedThreads: new Map(),
    reactions: [],
    labels: new Map(),
    protection: new Map(),
    dispatches: [],
    permissions: new Map(),
    mergeableUnknownReads: 0,
    mergeMethods: { merge: true, squash: true, rebase: true },
  };
}

/** GitHub's timestamp format: ISO 8601 without milliseconds. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Ids for everything; issues and pulls share one number sequence, as on GitHub. */
export class Ids {
  private nextId = 1000;
  private nextNumber = 1;

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  issueNumber(): number {
    const n = this.nextNumber;
    this.nextNumber += 1;
    return n;
  }
}
