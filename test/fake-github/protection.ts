import type { Ctx } from './http.js';
import type { FakePull } from './state.js';

/**
 * Branch protection as the merge endpoint enforces it. Messages follow GitHub's wording where
 * known; callers must rely on the status code (405), never on the text.
 */

export type CheckOutcome = 'success' | 'pending' | 'failure' | 'missing';

/** The state of one required context on a commit: the latest check run or status named so. */
export function contextOutcome(ctx: Ctx, sha: string, context: string): CheckOutcome {
  const outcomes: CheckOutcome[] = [];
  const run = ctx.state.checkRuns.filter((r) => r.headSha === sha && r.name === context).at(-1);
  if (run) {
    if (run.status !== 'completed') outcomes.push('pending');
    else
      outcomes.push(['success', 'neutral', 'skipped'].includes(run.conclusion ?? '') ? 'success' : 'failure');
  }
  const status = ctx.state.statuses.filter((s) => s.sha === sha && s.context === context).at(-1);
  if (status) {
    if (status.state === 'pending') outcomes.push('pending');
    else outcomes.push(status.state === 'success' ? 'success' : 'failure');
  }
  if (outcomes.length === 0) return 'missing';
  if (outcomes.includes('failure')) return 'failure';
  if (outcomes.includes('pending')) return 'pending';
  return 'success';
}

/** Latest decisive review per user (COMMENTED/PENDING/DISMISSED do not count). */
export function reviewTally(ctx: Ctx, pullNumber: number): { approvals: number; changesRequested: boolean } {
  const latest = new Map<string, string>();
  for (const review of ctx.state.reviews) {
    if (review.pullNumber !== pullNumber) continue;
    if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED')
      latest.set(review.user, review.state);
    if (review.state === 'DISMISSED') latest.delete(review.user);
  }
  const states = [...latest.values()];
  return {
    approvals: states.filter((s) => s === 'APPROVED').length,
    changesRequested: states.includes('CHANGES_REQUESTED'),
  };
}

/** Why protection blocks merging `pull` at `headSha` for `login`, or null when it does not. */
export async function protectionBlock(
  ctx: Ctx,
  pull: FakePull,
  headSha: string,
  baseSha: string,
  login: string,
): Promise<string | null> {
  const rules = ctx.state.protection.get(pull.base);
  if (!rules || rules === 'forbidden') return null;
  if (rules.enforceAdmins === false && ctx.permissionOf(login) === 'admin') return null;
  for (const context of rules.requiredContexts) {
    const outcome = contextOutcome(ctx, headSha, context);
    if (outcome === 'missing') return `Required status check "${context}" is expected.`;
    if (outcome === 'pending') return `Required status check "${context}" is in progress.`;
    if (outcome === 'failure') return `Required status check "${context}" is failing.`;
  }
  const tally = reviewTally(ctx, pull.number);
  if (rules.requiredApprovals > 0 && tally.changesRequested)
    return 'Changes requested by a reviewer must be addressed.';
  if (tally.approvals < rules.requiredApprovals) {
    const n = rules.requiredApprovals;
    return `At least ${n} approving review${n === 1 ? ' is' : 's are'} required by reviewers with write access.`;
  }
  if (rules.strict && !(await ctx.git.isAncestor(baseSha, headSha))) {
    return 'Head branch is not up to date with the base branch.';
  }
  return null;
}
