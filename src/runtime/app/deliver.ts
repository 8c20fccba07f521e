import { type DeliverResult, deliverGoal, loadDeliveryPlan, stopsDelivery } from '../delivery/deliver.js';
import { type MergeGoalResult, mergeGoal } from '../delivery/merge.js';
import { awaitsAcceptance } from '../delivery/merge-decision.js';
import type { DeliveryPlan } from '../delivery/plan.js';
import { IllegalTransitionError } from '../errors.js';
import type { MergeMethod } from '../forge/port.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import { readOrAssembleProof } from '../proof/assemble.js';
import { recordWithheld, stoppedSince, stopSeenSince, withheldNote } from './delivery-stop.js';
import { baseFor, deliveryTarget, type TargetRequest } from './delivery-target.js';
import { type AppDeps, deliverDeps, hostConfig, inPhase } from './deps.js';
import { type AppNote, mergeNote } from './notes.js';

export interface DeliveryOptions extends Pick<TargetRequest, 'base' | 'fallbackBase'> {
  method?: MergeMethod;
  enforceProtection?: boolean;
}

export interface AfterExecution {
  delivery: DeliverResult | null;
  merge: MergeGoalResult | null;
  /** A dry run's would-be delivery. */
  dryRunPlan: DeliveryPlan | null;
  notes: AppNote[];
}

export const NOTHING_DELIVERED: Omit<AfterExecution, 'notes'> = {
  delivery: null,
  merge: null,
  dryRunPlan: null,
};

/**
 * Ready and not_ready goals are delivered; so is a blocked_on_human one created to change what its
 * gates run, or whose proof waits for a person's acceptance (`awaitsAcceptance`): its PRs carry
 * the proof that names what the person it waits for checks (each edited definition, …).
 */
async function deliverable(deps: AppDeps, goal: GoalRecord): Promise<boolean> {
  if (goal.status === 'ready' || goal.status === 'not_ready') return true;
  if (goal.status !== 'blocked_on_human') return false;
  if (goal.options.allowGateEdits) return true;
  return awaitsAcceptance(await readOrAssembleProof(deps.store, goal, deps.store.eventLog(goal.id)));
}

/** A delivery stopped before it began: the PRs that exist (none, or an earlier delivery's) stay. */
async function withheldBefore(deps: AppDeps, goalId: string, status: GoalStatus): Promise<AfterExecution> {
  return { ...NOTHING_DELIVERED, notes: [await recordWithheld(deps, goalId, status, ['delivery'])] };
}

/**
 * What follows execution, by the goal's policies: PRs unless the policy is `local`, and under a
 * `gated` merge policy the integrator PR merged when every condition of the merge holds. With
 * `dryRun` nothing leaves the machine: the delivery that would follow is returned as a plan.
 */
export async function deliverByPolicy(
  deps: AppDeps,
  goalId: string,
  options: DeliveryOptions & { dryRun?: boolean },
): Promise<AfterExecution> {
  const policy = (await deps.store.read(goalId)).options.policy;
  if (policy === 'local') return { ...NOTHING_DELIVERED, notes: [{ code: 'policy_local', goalId }] };
  // A dry run reads a stop on the state branch without bringing it into the local goal.
  const stoppedFirst = await (options.dryRun === true ? stopSeenSince : stoppedSince)(deps, goalId, null);
  if (stoppedFirst !== null && options.dryRun === true) {
    // A dry run says the delivery would be withheld, and writes nothing.
    const note = await withheldNote(deps, goalId, stoppedFirst, ['delivery']);
    return { ...NOTHING_DELIVERED, notes: [note, { code: 'dry_run' }] };
  }
  if (stoppedFirst !== null) return withheldBefore(deps, goalId, stoppedFirst);
  const goal = await deps.store.read(goalId);
  if (!(await deliverable(deps, goal))) {
    return { ...NOTHING_DELIVERED, notes: [{ code: 'not_deliverable', status: goal.status }] };
  }
  if (baseFor(goal, options) === undefined) return { ...NOTHING_DELIVERED, notes: [{ code: 'no_base' }] };
  const target = deliveryTarget(goal, { ...options, policy }, deps.words);
  if (options.dryRun === true) {
    const { plan } = await loadDeliveryPlan(deps.store, goalId, target, null);
    return { ...NOTHING_DELIVERED, dryRunPlan: plan, notes: [{ code: 'dry_run' }] };
  }
  const forge = await deps.forge(goal);
  // Before each PR, the look taken before the delivery: a stop from the state branch included.
  const stopped = { stoppedSince: (since: GoalStatus) => stoppedSince(deps, goalId, since) };
  let delivery: DeliverResult;
  try {
    delivery = await inPhase(deps, `omk: delivering goal ${goalId}`, () =>
      deliverGoal({ ...deliverDeps(deps, forge), ...stopped }, goalId, target),
    );
  } catch (error) {
    // Refused as a person stopped the goal since it was found deliverable: that is the outcome.
    const now = (await deps.store.read(goalId)).status;
    if (error instanceof IllegalTransitionError && stopsDelivery(goal.status, now)) {
      return withheldBefore(deps, goalId, now);
    }
    throw error;
  }
  if (delivery.stopped !== null) {
    // Stopped part-way: the PRs opened stay (a stop closes nothing), the rest and the merge are withheld.
    const { status, withheld } = delivery.stopped;
    const merge = goal.options.mergePolicy === 'gated' ? ['merge'] : [];
    const note = await recordWithheld(deps, goalId, status, [...withheld, ...merge]);
    return { ...NOTHING_DELIVERED, delivery, notes: [note] };
  }
  if (goal.options.mergePolicy !== 'gated') {
    const note: AppNote =
      goal.options.mergePolicy === 'manual' ? { code: 'merge_manual', goalId } : { code: 'merge_disabled' };
    return { ...NOTHING_DELIVERED, delivery, notes: [note] };
  }
  if (!delivery.delivered.some((pull) => pull.sliceId === null)) {
    return { ...NOTHING_DELIVERED, delivery, notes: [{ code: 'no_integrator' }] };
  }
  // A pause or cancel that landed after the last PR was opened still stops the merge.
  const stoppedLast = await stoppedSince(deps, goalId, goal.status);
  if (stoppedLast !== null) {
    const note = await recordWithheld(deps, goalId, stoppedLast, ['merge']);
    return { ...NOTHING_DELIVERED, delivery, notes: [note] };
  }
  const { config } = await hostConfig(deps, (await deps.store.read(goalId)).repo.root);
  const merge = await mergeGoal({ store: deps.store, forge }, goalId, {
    method: options.method ?? 'merge',
    enforceProtection: options.enforceProtection ?? false,
    requireChecks: config.merge.requireChecks,
  });
  return { ...NOTHING_DELIVERED, delivery, merge, notes: [mergeNote(merge)] };
}
