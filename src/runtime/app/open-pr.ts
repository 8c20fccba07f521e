import { type DeliverResult, deliverGoal, loadDeliveryPlan } from '../delivery/deliver.js';
import type { DeliveryPlan } from '../delivery/plan.js';
import type { GoalStatus } from '../goal/schema.js';
import { recordWithheld, stoppedSince } from './delivery-stop.js';
import { deliveryTarget, type TargetRequest } from './delivery-target.js';
import type { AppDeps } from './deps.js';
import { deliverDeps, inPhase } from './deps.js';

export interface OpenPrRequest extends TargetRequest {
  goalId: string;
  /** Show exactly what would be pushed and opened; nothing leaves the machine. */
  dryRun: boolean;
}

export type OpenPrOutcome = { dryRun: true; plan: DeliveryPlan } | { dryRun: false; result: DeliverResult };

/**
 * `open-pr`: one PR per delivered slice and the integrator PR, each carrying its proof, under the
 * one open-PR rule (deliveryTarget). The dry run plans with the same rule, so it shows what the
 * real run would open.
 */
export async function openPullRequests(deps: AppDeps, request: OpenPrRequest): Promise<OpenPrOutcome> {
  const { goalId } = request;
  const goal = await deps.store.read(goalId);
  const target = deliveryTarget(goal, request, deps.words);
  if (request.dryRun) {
    const { plan } = await loadDeliveryPlan(deps.store, goalId, target, null);
    return { dryRun: true, plan };
  }
  const forge = await deps.forge(goal);
  // A cancel or pause that lands meanwhile stops the PRs left, as it stops a run's delivery.
  const stopped = { stoppedSince: (since: GoalStatus) => stoppedSince(deps, goalId, since) };
  const result = await inPhase(deps, `omk: opening PRs for goal ${goalId}`, () =>
    deliverGoal({ ...deliverDeps(deps, forge), ...stopped }, goalId, target),
  );
  if (result.stopped !== null)
    await recordWithheld(deps, goalId, result.stopped.status, result.stopped.withheld);
  return { dryRun: false, result };
}
