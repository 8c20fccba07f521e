import { fixGoalId } from './fix-target.js';
import type { ReviewAsk } from './review-fix.js';

/**
 * Where a workflow's fix step starts, from the review event that started the workflow: nothing when
 * the event is not a review of a pull request (`not_a_review`) or when neither the step's goal id
 * nor the PR's branch (`omk/<goal-id>/…`) names a goal (`not_omk`); else the goal and what the
 * review asks.
 */
export type WorkflowFixStart =
  | { kind: 'not_a_review' }
  | { kind: 'not_omk'; pr: number | null; branch: string | null }
  | { kind: 'fix'; goalId: string; ask: ReviewAsk };

export function workflowFixStart(ask: ReviewAsk | null, named: string | null): WorkflowFixStart {
  if (ask === null) return { kind: 'not_a_review' };
  const goalId = fixGoalId({ named, branch: ask.branch });
  if (goalId === null) return { kind: 'not_omk', pr: ask.pr, branch: ask.branch };
  return { kind: 'fix', goalId, ask };
}

/** Which goal branches a fix works on: the repository's, or this runner's when they could not be fetched. */
export type GoalBranchesSource = { from: 'repository' } | { from: 'runner'; why: string };

/**
 * The goal's branches from the repository; when fetching fails, the fix goes on with this runner's
 * (an earlier step of the same job made them) rather than stopping, and says why (`why`).
 */
export async function goalBranchesFor(fetch: () => Promise<void>): Promise<GoalBranchesSource> {
  try {
    await fetch();
    return { from: 'repository' };
  } catch (error) {
    return { from: 'runner', why: error instanceof Error ? error.message : String(error) };
  }
}
