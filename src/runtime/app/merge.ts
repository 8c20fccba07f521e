import { type MergeGoalResult, mergeGoal } from '../delivery/merge.js';
import { acceptedReview, notReadyDetail } from '../delivery/merge-decision.js';
import { isOmkError } from '../errors.js';
import type { MergeMethod } from '../forge/port.js';
import type { GoalRecord } from '../goal/schema.js';
import { readOrAssembleProof } from '../proof/assemble.js';
import { awaitsWorkflowAcceptance } from '../proof/build.js';
import { baseFor } from './delivery-target.js';
import { type AppDeps, hostConfig } from './deps.js';
import { type WithheldNote, withheldText } from './notes.js';
import { openPullRequests } from './open-pr.js';

export interface MergeRequest {
  goalId: string;
  method?: MergeMethod;
  /** Refuse a base branch without branch protection. */
  enforceProtection?: boolean;
}

/**
 * What `merge` came to: the merge or what blocks it; or, when a person stopped (paused, cancelled,
 * rejected) the goal while its awaited PRs were opened first, `withheld` (recorded as
 * `delivery_withheld`: what stays open, what was not opened) and no merge tried.
 */
export type MergeOutcome =
  | { result: MergeGoalResult; withheld: null }
  | { result: null; withheld: WithheldNote };

/**
 * `merge`: the integrator PR, only when the proof is ready, fresh and unedited, checks are green
 * and reviews satisfied. A refusal is a returned outcome with its reasons; nothing is forced.
 */
export async function mergeIntegrator(deps: AppDeps, request: MergeRequest): Promise<MergeOutcome> {
  const goal = await deps.store.read(request.goalId);
  const withheld = await deliverAwaited(deps, goal);
  if (withheld !== null) return { result: null, withheld };
  const forge = await deps.forge(goal);
  const { config } = await hostConfig(deps, goal.repo.root);
  const result = await mergeGoal({ store: deps.store, forge }, request.goalId, {
    method: request.method ?? 'merge',
    enforceProtection: request.enforceProtection ?? false,
    requireChecks: config.merge.requireChecks,
  });
  return { result, withheld: null };
}

/**
 * An accepted goal whose workflow change kept its branches on this machine until a person read it
 * (delivery/kept-local.ts `awaits_acceptance`) has no integrator PR yet: its policy's PRs are opened
 * now, so the merge that follows takes the change the person accepted. Returns what a person's stop
 * meanwhile withheld (then nothing is merged), else null.
 */
async function deliverAwaited(deps: AppDeps, goal: GoalRecord): Promise<WithheldNote | null> {
  if (goal.status !== 'accepted' || goal.options.policy === 'local' || baseFor(goal, {}) === undefined)
    return null;
  const proof = await readOrAssembleProof(deps.store, goal, deps.store.eventLog(goal.id));
  if (!awaitsWorkflowAcceptance(proof)) return null;
  if (proof.delivery.pullRequests.some((pull) => pull.sliceId === null)) return null;
  const opened = await openPullRequests(deps, { goalId: goal.id, dryRun: false });
  return opened.dryRun ? null : opened.withheld;
}

export type MergeCheck =
  | { evaluated: true; result: MergeGoalResult }
  | { evaluated: false; why: 'not_gated' | 'not_ready' | 'nothing_to_merge'; detail: string }
  /** A person stopped the opening of the awaited PRs the merge needs: what it left, no merge tried. */
  | { evaluated: false; why: 'withheld'; detail: string; withheld: WithheldNote };

/** The gated merge not tried: a person stopped the delivery it follows (`withheld` says what it left). */
export function withheldCheck(withheld: WithheldNote): MergeCheck {
  return {
    evaluated: false,
    why: 'withheld',
    detail: `goal ${withheld.status}: ${withheldText(withheld)}`,
    withheld,
  };
}

/**
 * After a check, a status or a review changed: the gated merge again, exactly as `merge` decides
 * it against the PR's live state. Only a goal under the gated policy that is ready, or accepted
 * with a proof a merge takes (ready, or blocked only on gaps the acceptance closed), can pass, so
 * the others are not evaluated (and leave no state change); a goal with no integrator PR has
 * nothing to merge.
 */
export async function recheckMerge(deps: AppDeps, goalId: string, method?: MergeMethod): Promise<MergeCheck> {
  const goal = await deps.store.read(goalId);
  if (goal.options.mergePolicy !== 'gated') {
    return { evaluated: false, why: 'not_gated', detail: `merge policy is ${goal.options.mergePolicy}` };
  }
  const notMergeable = await whyNotMergeable(deps, goal);
  if (notMergeable !== null) return { evaluated: false, why: 'not_ready', detail: notMergeable };
  try {
    const outcome = await mergeIntegrator(deps, { goalId, method });
    return outcome.withheld === null
      ? { evaluated: true, result: outcome.result }
      : withheldCheck(outcome.withheld);
  } catch (error) {
    if (isOmkError(error) && (error.code === 'not_found' || error.code === 'illegal_transition')) {
      return { evaluated: false, why: 'nothing_to_merge', detail: error.message };
    }
    throw error;
  }
}

/**
 * Why a gated merge may not take the goal now, or null when it may: ready, or accepted by a person
 * with a proof that is ready or blocked only on what the acceptance closes. This reads the stored
 * proof only to choose: the merge itself rebuilds it from the evidence and decides on that.
 */
async function whyNotMergeable(deps: AppDeps, goal: GoalRecord): Promise<string | null> {
  if (goal.status === 'ready') return null;
  const said = `goal is ${goal.status}`;
  if (goal.status !== 'accepted') return said;
  const proof = await readOrAssembleProof(deps.store, goal, deps.store.eventLog(goal.id));
  if (proof.status === 'ready' || acceptedReview(proof)) return null;
  return `${said}, but ${notReadyDetail(proof)}`;
}
