import { deliverGoal, loadDeliveryPlan } from '../../runtime/delivery/deliver.js';
import { mergeGoal } from '../../runtime/delivery/merge.js';
import { UsageError } from '../../runtime/errors.js';
import type { ActionRuntime } from '../compose.js';
import { baseFor, outcomeFor, pullGoal, savingState } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';

/**
 * `open-pr`: one PR per delivered slice and the integrator PR, each with its proof, pushed from
 * this runner's repository (so it runs in the job that executed the goal). dry-run shows them.
 */
export async function openPrCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const goal = await pullGoal(rt, goalId);
  const policy = rt.inputs.policy;
  if (policy === 'local') {
    throw new UsageError(
      'policy: open-pr opens pull requests, so it needs draft-pr or auto-pr, not local. Example: policy: draft-pr',
    );
  }
  const base = baseFor(rt, goal);
  if (base === undefined) {
    throw new UsageError(
      `base-branch: goal ${goalId} started on a detached HEAD and this event names no branch, so there is no base for its PRs. Example: base-branch: main`,
    );
  }
  if (rt.inputs.dryRun) {
    const { plan } = await loadDeliveryPlan(rt.store, goalId, { policy, base }, null);
    return outcomeFor(rt, 'open-pr', goalId, {
      dryRunPlan: plan,
      notes: ['dry-run: nothing was pushed or opened'],
    });
  }
  const forge = await rt.forge();
  await savingState(rt, goalId, `open-pr: goal ${goalId}`, () =>
    rt.core.group(`omk: opening PRs for goal ${goalId}`, () =>
      deliverGoal({ store: rt.store, forge, reporter: rt.reporter }, goalId, { policy, base }),
    ),
  );
  return outcomeFor(rt, 'open-pr', goalId);
}

/**
 * `merge`: the integrator PR, only when the proof is ready and fresh, checks are green and reviews
 * satisfied (the goal's merge-policy must be gated or manual). A refusal fails the step with its
 * reasons; nothing is ever forced.
 */
export async function mergeCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  await pullGoal(rt, goalId);
  const forge = await rt.forge();
  const result = await savingState(rt, goalId, `merge: goal ${goalId}`, () =>
    mergeGoal({ store: rt.store, forge }, goalId, {
      method: rt.inputs.mergeMethod,
      enforceProtection: false,
    }),
  );
  if (result.merged) {
    rt.reporter.info(`merged PR #${result.pr} as ${result.sha.slice(0, 12)}`);
    return outcomeFor(rt, 'merge', goalId);
  }
  const reasons = result.reasons.map((reason) => `${reason.blocker}: ${reason.detail}`).join('; ');
  return outcomeFor(rt, 'merge', goalId, {
    refused: `Goal ${goalId} was not merged: PR #${result.pr} is blocked by ${result.blockedBy} (${reasons}).`,
  });
}
