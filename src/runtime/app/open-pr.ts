import { type DeliverResult, deliverGoal, loadDeliveryPlan, refuseEnded } from '../delivery/deliver.js';
import type { DeliveryPlan } from '../delivery/plan.js';
import type { GoalStatus } from '../goal/schema.js';
import { recordWithheld, stoppedSince } from './delivery-stop.js';
import { deliveryTarget, type TargetRequest } from './delivery-target.js';
import type { AppDeps } from './deps.js';
import { deliverDeps, inPhase } from './deps.js';
import type { WithheldNote } from './notes.js';

export interface OpenPrRequest extends TargetRequest {
  goalId: string;
  /** Show exactly what would be pushed and opened; nothing leaves the machine, nothing is written. */
  dryRun: boolean;
}

export type OpenPrOutcome =
  | { dryRun: true; plan: DeliveryPlan }
  /** `withheld`: a person stopped the goal while its PRs were opened (recorded as `delivery_withheld`); else null. */
  | { dryRun: false; result: DeliverResult; withheld: WithheldNote | null };

/**
 * `open-pr`: one PR per delivered slice and the integrator PR, each carrying its proof, under the
 * one open-PR rule (deliveryTarget). The dry run plans with the same rule and refuses what the
 * real run refuses, so it shows what the real run would open; it writes nothing.
 */
export async function openPullRequests(deps: AppDeps, request: OpenPrRequest): Promise<OpenPrOutcome> {
  const { goalId } = request;
  const goal = await deps.store.read(goalId);
  const target = deliveryTarget(goal, request, deps.words);
  if (request.dryRun) {
    refuseEnded(goal);
    const { plan } = await loadDeliveryPlan(deps.store, goalId, target, null);
    return { dryRun: true, plan };
  }
  const forge = await deps.forge(goal);
  // A cancel or pause that lands meanwhile stops the PRs left, as it stops a run's delivery.
  const stopped = { stoppedSince: (since: GoalStatus) => stoppedSince(deps, goalId, since) };
  const result = await inPhase(deps, `omk: opening PRs for goal ${goalId}`, () =>
    deliverGoal({ ...deliverDeps(deps, forge), ...stopped }, goalId, target),
  );
  const withheld =
    result.stopped === null
      ? null
      : await recordWithheld(deps, goalId, result.stopped.status, result.stopped.withheld, target.policy);
  return { dryRun: false, result, withheld };
}
