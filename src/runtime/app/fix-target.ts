import { parseOmkBranch } from '../graph/branches.js';

/**
 * Which goal changes asked on a PR are for, and whether their fix may start in this process: the
 * goal comes from the PR's head branch (`omk/<goal-id>/<slice-id>`), so a PR omk did not open
 * starts nothing; a host whose fixes run elsewhere (the bot in actions mode: the repository's
 * workflow) starts nothing here; a goal running here is busy until it settles.
 */
export type FixTarget =
  | { kind: 'start'; goalId: string }
  | { kind: 'not_omk_pr' }
  | { kind: 'fixes_elsewhere'; goalId: string }
  | { kind: 'busy'; goalId: string };

export interface FixTargetRequest {
  /** The PR's head branch, or null when the number names an issue. */
  branch: string | null;
  /** False when this host leaves fixes to another (a workflow). */
  fixesHere: boolean;
  /** Whether a goal is executing in this process now. */
  running: (goalId: string) => boolean;
}

export function fixTarget(request: FixTargetRequest): FixTarget {
  const goalId = fixGoalId({ named: null, branch: request.branch });
  if (goalId === null) return { kind: 'not_omk_pr' };
  if (!request.fixesHere) return { kind: 'fixes_elsewhere', goalId };
  if (request.running(goalId)) return { kind: 'busy', goalId };
  return { kind: 'start', goalId };
}

/**
 * The goal a PR's fix is for: the one the host was told (the Action's goal-id), else the one its
 * head branch names (`omk/<goal-id>/…`); null when neither names one.
 */
export function fixGoalId(pr: { named: string | null; branch: string | null }): string | null {
  if (pr.named !== null) return pr.named;
  return pr.branch === null ? null : (parseOmkBranch(pr.branch)?.goalId ?? null);
}
