import { mergeIntegrator, openPullRequests } from '../../runtime/app/index.js';
import type { ActionRuntime } from '../compose.js';
import { onGoal, outcomeFor } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';
import { baseOf } from './execute.js';

/**
 * `open-pr`: one PR per delivered slice and the integrator PR, each with its proof, pushed from
 * this runner's repository (so it runs in the job that executed the goal). dry-run shows them.
 */
export async function openPrCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const dryRun = rt.inputs.dryRun;
  const outcome = await onGoal(rt, goalId, dryRun ? null : `open-pr: goal ${goalId}`, () =>
    openPullRequests(rt.app, { goalId, policy: rt.inputs.policy, ...baseOf(rt), dryRun }),
  );
  if (!outcome.dryRun) return outcomeFor(rt, 'open-pr', goalId);
  return outcomeFor(rt, 'open-pr', goalId, {
    dryRunPlan: outcome.plan,
    notes: ['dry-run: nothing was pushed or opened'],
  });
}

/**
 * `merge`: the integrator PR, only when the proof is ready and fresh, checks are green and reviews
 * satisfied (the goal's merge-policy must be gated or manual). A refusal fails the step with its
 * reasons; nothing is ever forced.
 */
export async function mergeCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const result = await onGoal(rt, goalId, `merge: goal ${goalId}`, () =>
    mergeIntegrator(rt.app, { goalId, method: rt.inputs.mergeMethod }),
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
