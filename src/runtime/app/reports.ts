import type { ExecuteResult } from '../controller/execute.js';
import type { DeliverResult } from '../delivery/deliver.js';
import type { MergeGoalResult } from '../delivery/merge.js';
import type { LifecycleResult } from '../goal/actions.js';
import type { StatusView } from '../goal/queries.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import type { Task } from '../graph/schema.js';
import type { Proof } from '../proof/schema.js';
import type { FixOutcome } from './fix.js';
import type { GoalList } from './goal-ref.js';
import { judgeProof } from './judgement.js';
import type { MergeOutcome } from './merge.js';
import type { WithheldNote } from './notes.js';

/**
 * What a command reports of a goal, as data: the fields each report carries, in the order a
 * machine-readable report lists them. A front door only formats these (JSON as they are, or text).
 */

/** A goal in a list, and the head of its status. */
export function goalSummary(goal: GoalRecord) {
  return {
    id: goal.id,
    status: goal.status,
    class: goal.oracle.class,
    goal: goal.goal.normalized,
    createdAt: goal.createdAt,
    updatedAt: goal.updatedAt,
  };
}
export type GoalSummary = ReturnType<typeof goalSummary>;

/** `goal list` as JSON: each goal's summary and its repository (the top level it was made in). */
export function listReport(list: GoalList) {
  return list.goals.map((goal) => ({ ...goalSummary(goal), repo: goal.repo.root }));
}

/** A goal's status: its summary, the proof's status and digest check, live slices, budget, controller. */
export function statusReport(view: StatusView) {
  return {
    ...goalSummary(view.goal),
    proofStatus: view.proof.proof.status,
    proofDigest: view.proof.proof.digest,
    proofDigestValid: view.proof.digestValid,
    knownGaps: view.proof.proof.knownGaps,
    slices: view.slices.map((slice) => ({ id: slice.id, status: slice.status, attempts: slice.attempts })),
    fixes: view.fixes,
    budget: view.goal.budget,
    lastEventSeq: view.lastEventSeq,
    controller: view.goal.controller,
    controllerAlive: view.controllerAlive,
    kept: view.kept,
  };
}
export type StatusReport = ReturnType<typeof statusReport>;

/** How many slices are done, of how many, and the count of each other status that has any. */
export interface SliceTally {
  done: number;
  total: number;
  others: { status: Exclude<Task['status'], 'done'>; count: number }[];
}

export function sliceTally(slices: readonly { status: Task['status'] }[]): SliceTally {
  const count = (status: Task['status']) => slices.filter((slice) => slice.status === status).length;
  const others = (['running', 'pending', 'failed', 'skipped'] as const)
    .map((status) => ({ status, count: count(status) }))
    .filter((entry) => entry.count > 0);
  return { done: count('done'), total: slices.length, others };
}

/** A lifecycle change: from which status to which. */
export function transitionOf(result: LifecycleResult) {
  return { id: result.goal.id, from: result.previous, to: result.goal.status };
}

/** A lifecycle change with the proof's status after it. */
export function transitionReport(result: LifecycleResult) {
  return { ...transitionOf(result), proofStatus: result.proof.status };
}

/** A merge: the merge commit and PR (and whether an earlier merge was recovered), or why it was blocked. */
export function mergeReport(result: MergeGoalResult) {
  if (!result.merged) return result;
  return {
    merged: true as const,
    sha: result.sha,
    pr: result.pr,
    ...(result.recovered ? { recovered: true as const } : {}),
  };
}

/**
 * What a merge came to for a caller that ends with it: refused when blocked; when a person stopped
 * the opening of the PRs it needed, as that stop says (`withheldVerdict`).
 */
export function mergeVerdict(outcome: MergeOutcome): GoalVerdict {
  if (outcome.withheld !== null) return withheldVerdict(outcome.withheld);
  return outcome.result.merged ? 'ok' : 'refused';
}

/**
 * What a fix came to for a caller that ends with it: not ready when its change did not pass; when
 * a person stopped the goal while its PRs were updated with it, as that stop says.
 */
export function fixVerdict(outcome: FixOutcome): GoalVerdict {
  if (outcome.kind !== 'already_handled' && outcome.withheld !== null)
    return withheldVerdict(outcome.withheld);
  return outcome.kind === 'failed' ? 'not_ready' : 'ok';
}

/**
 * Whether a fix ran and its proof decides the caller's step: not when every request it was given
 * had been handled already (a redelivered review), which changed nothing.
 */
export function fixRan(outcome: FixOutcome): outcome is Exclude<FixOutcome, { kind: 'already_handled' }> {
  return outcome.kind !== 'already_handled';
}

/** PRs opened or updated, the slices skipped, the branches kept local, the proof's status. */
export function deliveredReport(result: DeliverResult) {
  return {
    delivered: result.delivered,
    skipped: result.plan.skipped,
    kept: result.plan.kept,
    proofStatus: result.proof.status,
    /** A cancel or pause that stopped it part-way: its status and the PRs not opened; else null. */
    stopped: result.stopped,
  };
}

/** An execution: the goal, its proof and what stopped it early (null: nothing did). */
export function executedReport(result: ExecuteResult) {
  return { goal: result.goal, proof: result.proof, stoppedBy: result.stoppedBy };
}

/**
 * What an execution came to for a caller that ends with it: interrupted by a signal, stopped by its
 * budget, not ready when it was asked to run until ready, or settled (null).
 */
export type RunVerdict = Exclude<GoalVerdict, 'ok' | 'refused'> | null;

export function runVerdict(
  outcome: { stoppedBy: ExecuteResult['stoppedBy']; proof: Proof },
  untilReady: boolean | undefined,
): RunVerdict {
  if (outcome.stoppedBy === 'signal') return 'interrupted';
  if (outcome.stoppedBy === 'budget') return 'budget';
  if (untilReady && !judgeProof(outcome.proof, { failOnNotReady: true }).passes) return 'not_ready';
  return null;
}

/**
 * `open-pr`: ok when every planned PR was opened. A delivery a person stopped part-way is not
 * whole, and says so as the stop does to `omk goal watch` (`settledVerdict`): refused when the goal
 * was cancelled or rejected, interrupted when it was paused (resume it, then open the rest).
 */
export function deliveredVerdict(result: Pick<DeliverResult, 'stopped'>): GoalVerdict {
  return result.stopped === null ? 'ok' : withheldVerdict(result.stopped);
}

/**
 * Any verb's delivery a person stopped (open-pr, merge, accept, fix): refused when the goal was
 * cancelled or rejected, interrupted when it was paused, as `omk goal watch` says those statuses.
 */
export function withheldVerdict(stop: Pick<WithheldNote, 'status'>): GoalVerdict {
  return settledVerdict({ status: stop.status, stoppedBy: null });
}

/** What a goal came to for a caller that waits for it to settle. */
export type GoalVerdict = 'ok' | 'interrupted' | 'budget' | 'refused' | 'not_ready';

/**
 * A settled goal (`omk goal watch`): ok when ready, accepted or merged; not ready when not ready,
 * failed or blocked on a human; budget when its budget stopped it short of ready; interrupted when
 * paused, interrupted or its controller is gone (resumable); refused when cancelled or rejected.
 */
export function settledVerdict(settled: { status: GoalStatus; stoppedBy: string | null }): GoalVerdict {
  if (settled.stoppedBy === 'controller_gone') return 'interrupted';
  if (settled.stoppedBy === 'budget' && settled.status !== 'ready') return 'budget';
  switch (settled.status) {
    case 'ready':
    case 'accepted':
    case 'merged':
      return 'ok';
    case 'interrupted':
    case 'paused':
    case 'planned':
    case 'running':
      return 'interrupted';
    case 'cancelled':
    case 'rejected':
      return 'refused';
    case 'not_ready':
    case 'failed':
    case 'blocked_on_human':
      return 'not_ready';
  }
}
