import { type MergeGoalResult, mergeGoal } from '../delivery/merge.js';
import { isOmkError } from '../errors.js';
import type { MergeMethod } from '../forge/port.js';
import { type AppDeps, hostConfig } from './deps.js';

export interface MergeRequest {
  goalId: string;
  method?: MergeMethod;
  /** Refuse a base branch without branch protection. */
  enforceProtection?: boolean;
}

/**
 * `merge`: the integrator PR, only when the proof is ready, fresh and unedited, checks are green
 * and reviews satisfied. A refusal is a returned outcome with its reasons; nothing is forced.
 */
export async function mergeIntegrator(deps: AppDeps, request: MergeRequest): Promise<MergeGoalResult> {
  const goal = await deps.store.read(request.goalId);
  const forge = await deps.forge(goal);
  const { config } = await hostConfig(deps, goal.repo.root);
  return mergeGoal({ store: deps.store, forge }, request.goalId, {
    method: request.method ?? 'merge',
    enforceProtection: request.enforceProtection ?? false,
    requireChecks: config.merge.requireChecks,
  });
}

export type MergeCheck =
  | { evaluated: true; result: MergeGoalResult }
  | { evaluated: false; why: 'not_gated' | 'not_ready' | 'nothing_to_merge'; detail: string };

/**
 * After a check, a status or a review changed: the gated merge again, exactly as `merge` decides
 * it against the PR's live state. Only a ready goal under the gated policy can pass, so the others
 * are not evaluated (and leave no state change); a goal with no integrator PR has nothing to merge.
 */
export async function recheckMerge(deps: AppDeps, goalId: string, method?: MergeMethod): Promise<MergeCheck> {
  const goal = await deps.store.read(goalId);
  if (goal.options.mergePolicy !== 'gated') {
    return { evaluated: false, why: 'not_gated', detail: `merge policy is ${goal.options.mergePolicy}` };
  }
  if (goal.status !== 'ready')
    return { evaluated: false, why: 'not_ready', detail: `goal is ${goal.status}` };
  try {
    return { evaluated: true, result: await mergeIntegrator(deps, { goalId, method }) };
  } catch (error) {
    if (isOmkError(error) && (error.code === 'not_found' || error.code === 'illegal_transition')) {
      return { evaluated: false, why: 'nothing_to_merge', detail: error.message };
    }
    throw error;
  }
}
