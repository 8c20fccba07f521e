import { type MergeGoalResult, mergeGoal } from '../delivery/merge.js';
import type { MergeMethod } from '../forge/port.js';
import type { AppDeps } from './deps.js';

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
  return mergeGoal({ store: deps.store, forge }, request.goalId, {
    method: request.method ?? 'merge',
    enforceProtection: request.enforceProtection ?? false,
  });
}
