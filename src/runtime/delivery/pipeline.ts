import type { Forge, MergeMethod } from '../forge/port.js';
import type { GoalStore } from '../goal/store.js';
import type { Reporter } from '../ports.js';
import { type DeliverResult, deliverGoal } from './deliver.js';
import { type MergeGoalResult, mergeGoal } from './merge.js';

export interface AfterExecutionResult {
  delivery: DeliverResult | null;
  merge: MergeGoalResult | null;
  /** Why delivery or merge did not happen, for the user. */
  notes: string[];
}

/**
 * What follows execution, by the goal's policies: deliver PRs unless the policy is `local`, and
 * under `--merge-policy gated` merge the integrator PR when every gate of the merge holds. The
 * front doors call this; they do not decide it.
 */
export async function afterExecution(
  deps: { store: GoalStore; forge: Forge; reporter: Reporter },
  goalId: string,
  options: { base?: string; method?: MergeMethod; enforceProtection?: boolean } = {},
): Promise<AfterExecutionResult> {
  const goal = await deps.store.read(goalId);
  const notes: string[] = [];
  const policy = goal.options.policy;
  if (policy === 'local') {
    notes.push(
      "delivery policy is local: branches only (open PRs with 'omk goal open-pr --policy draft-pr')",
    );
    return { delivery: null, merge: null, notes };
  }
  if (goal.status !== 'ready' && goal.status !== 'not_ready') {
    notes.push(`nothing delivered: the goal is ${goal.status}`);
    return { delivery: null, merge: null, notes };
  }
  const base = options.base ?? goal.repo.baseRef;
  if (!base) {
    notes.push('nothing delivered: the goal started on a detached HEAD (pass --base-branch to open-pr)');
    return { delivery: null, merge: null, notes };
  }
  const delivery = await deliverGoal(deps, goalId, { policy, base });
  if (goal.options.mergePolicy !== 'gated') {
    notes.push(
      goal.options.mergePolicy === 'manual'
        ? `merge policy is manual: merge with 'omk goal merge ${goalId}' when it is ready`
        : 'merge policy is disabled: omk will not merge this goal (start it with --merge-policy manual or gated to let it)',
    );
    return { delivery, merge: null, notes };
  }
  if (!delivery.delivered.some((pull) => pull.sliceId === null)) {
    notes.push('no integrator PR was opened, so there is nothing to merge');
    return { delivery, merge: null, notes };
  }
  const merge = await mergeGoal(deps, goalId, {
    method: options.method ?? 'merge',
    enforceProtection: options.enforceProtection ?? false,
  });
  return { delivery, merge, notes };
}
