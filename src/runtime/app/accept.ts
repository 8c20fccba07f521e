import type { DeliverResult } from '../delivery/deliver.js';
import { restoreAwaitedBranches } from '../delivery/kept-bundle.js';
import type { MergeMethod } from '../forge/port.js';
import { applyLifecycle, type LifecycleResult } from '../goal/actions.js';
import { awaitsWorkflowAcceptance } from '../proof/build.js';
import type { AppDeps } from './deps.js';
import { type MergeCheck, recheckMerge, withheldCheck } from './merge.js';
import type { WithheldNote } from './notes.js';
import { openPullRequests } from './open-pr.js';

export interface AcceptRequest {
  goalId: string;
  /** What the person checked (required by every door: `lifecycleText`). */
  summary: string;
  /** Who accepted, as the door knows them (a forge login); recorded on the event and the proof. */
  by?: string;
  method?: MergeMethod;
  /** The base of PRs for a goal that started on no branch: the host's default. */
  fallbackBase?: string;
}

export interface AcceptOutcome {
  result: LifecycleResult;
  /** The goal's open PRs again, their bodies and omk/proof check runs now showing the acceptance; null when it had none. */
  delivery: DeliverResult | null;
  /** The gated merge right after, as a check event would evaluate it (`recheckMerge`). */
  merge: MergeCheck;
  /**
   * A person stopped (paused, cancelled, rejected) the goal while its PRs were delivered again: what
   * stays open and what was not opened or updated (recorded as `delivery_withheld`); else null.
   */
  withheld: WithheldNote | null;
}

/**
 * A person's acceptance from a forge (the bot's thread, the Action's step): recorded with who gave
 * it; the goal's PRs, if it has any, delivered again so their proof blocks and check runs say it
 * (and opened, when a workflow change kept its branches until a person accepted it);
 * then the gated merge evaluated at once, which takes a goal blocked only on what the acceptance
 * closes (merge-decision.ts `acceptedReview`) when the rest of the merge holds. A refusal of the
 * accept itself (the goal is running, failed, already settled) changes nothing.
 */
export async function acceptGoal(deps: AppDeps, request: AcceptRequest): Promise<AcceptOutcome> {
  const { goalId } = request;
  // What the acceptance is about to push, where this repository lacks it (a later job's checkout):
  // restored from the goal's saved copy and checked before the acceptance is recorded.
  const before = await deps.store.read(goalId);
  if (
    deps.keptBundles !== undefined &&
    before.status === 'blocked_on_human' &&
    before.options.policy !== 'local'
  ) {
    await restoreAwaitedBranches({ store: deps.store, bundles: deps.keptBundles }, goalId);
  }
  const result = await applyLifecycle(deps.store, goalId, 'accept', request.summary, request.by);
  // A workflow change kept its branches here until now (kept-local.ts `awaits_acceptance`): the
  // acceptance pushes them, under a policy that opens PRs.
  const goal = await deps.store.read(goalId);
  const awaited = goal.options.policy !== 'local' && awaitsWorkflowAcceptance(result.proof);
  const opened =
    result.proof.delivery.pullRequests.length === 0 && !awaited
      ? null
      : await openPullRequests(deps, {
          goalId,
          dryRun: false,
          ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
        });
  const delivery = opened === null || opened.dryRun ? null : opened.result;
  const withheld = opened === null || opened.dryRun ? null : opened.withheld;
  // A delivery a person stopped is not followed by the merge.
  const merge =
    withheld === null ? await recheckMerge(deps, goalId, request.method) : withheldCheck(withheld);
  return { result, delivery, merge, withheld };
}
