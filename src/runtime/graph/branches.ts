import { GOAL_ID_PATTERN } from '../goal/ids.js';
import { SLICE_ID_PATTERN } from './schema.js';

/**
 * omk's own branch names, in one place: `omk/<goal-id>/<slice-id>` for each slice, and two names
 * under a goal the runtime keeps for itself (`base`, `integration`). The state branch sits beside
 * them. Goal and slice ids are validated by their own patterns (goal/ids.ts, graph/schema.ts);
 * both are git ref components and directory names, so nothing else gets through.
 */

/** Branches omk owns; the only ones it may ever force (with a lease). */
export const OMK_BRANCH_PREFIX = 'omk/';
/** Where goal state is shared between runners (`--state-branch`, the Action and the bot). */
export const DEFAULT_STATE_BRANCH = `${OMK_BRANCH_PREFIX}state`;
/** The base checkout's workspace under a goal. */
export const BASE_ID = 'base';
/** The integration workspace and branch under a goal. */
export const INTEGRATION_ID = 'integration';
/** Ids a slice may not take: the runtime's own branches under the goal. */
export const RESERVED_SLICE_IDS: readonly string[] = [BASE_ID, INTEGRATION_ID];

/** `omk/<goal-id>/`: every branch of one goal starts with it. */
export function goalBranchPrefix(goalId: string): string {
  return `${OMK_BRANCH_PREFIX}${goalId}/`;
}

/** `omk/<goal-id>/<slice-id>`; callers that hand it to git validate the ids first. */
export function sliceBranchName(goalId: string, sliceId: string): string {
  return `${goalBranchPrefix(goalId)}${sliceId}`;
}

export function integrationBranchName(goalId: string): string {
  return sliceBranchName(goalId, INTEGRATION_ID);
}

/** The goal and slice of one of omk's branches, or null when `branch` is not one. */
export function parseOmkBranch(branch: string): { goalId: string; sliceId: string } | null {
  const [root, goalId, sliceId, ...rest] = branch.split('/');
  if (`${root}/` !== OMK_BRANCH_PREFIX || rest.length > 0 || goalId === undefined || sliceId === undefined) {
    return null;
  }
  return GOAL_ID_PATTERN.test(goalId) && SLICE_ID_PATTERN.test(sliceId) ? { goalId, sliceId } : null;
}
