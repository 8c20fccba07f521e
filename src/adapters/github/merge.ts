import type {
  BranchProtection,
  MergeMessage,
  MergeMethod,
  MergeOutcome,
  ReviewSummary,
} from '../../runtime/forge/port.js';
import { hasStatus } from './errors.js';
import type { Ctx } from './pulls.js';

/**
 * Classic branch protection, one call. 404 is both "not protected" and "cannot see it", 403 is
 * "no admin permission" (GITHUB_TOKEN usually lacks it): both mean "unknown", i.e. null.
 */
export async function branchProtection(ctx: Ctx, branch: string): Promise<BranchProtection | null> {
  try {
    const { data } = await ctx.octokit.rest.repos.getBranchProtection({
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      branch,
    });
    const checks = data.required_status_checks;
    const contexts = new Set<string>([
      ...(checks?.contexts ?? []),
      ...(checks?.checks ?? []).map((check) => check.context),
    ]);
    const reviews = data.required_pull_request_reviews;
    return {
      requiredContexts: [...contexts],
      // The object only exists when reviews are required; GitHub's own default is one approval.
      requiredApprovals: reviews ? (reviews.required_approving_review_count ?? 1) : 0,
    };
  } catch (error) {
    // A rate-limited 403 is not "no permission": unknown protection must not come from a throttle.
    if (hasStatus(error, 403, 404) && !error.rateLimited) return null;
    throw error;
  }
}

/** States that change a reviewer's verdict; COMMENTED and PENDING do not dismiss an approval. */
const VERDICTS = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/** Latest verdict per reviewer, one call (paginated, 100 per page). */
export async function reviewSummary(ctx: Ctx, number: number): Promise<ReviewSummary> {
  const reviews = await ctx.octokit.paginate(ctx.octokit.rest.pulls.listReviews, {
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    pull_number: number,
    per_page: 100,
  });
  const ordered = [...reviews].sort(
    (a, b) =>
      (Date.parse(a.submitted_at ?? '') || 0) - (Date.parse(b.submitted_at ?? '') || 0) || a.id - b.id,
  );
  const latest = new Map<string, string>();
  for (const review of ordered) {
    if (!VERDICTS.has(review.state)) continue;
    // A deleted account ("ghost") has no user: count its review on its own.
    latest.set(review.user ? `user:${review.user.id}` : `review:${review.id}`, review.state);
  }
  const verdicts = [...latest.values()];
  return {
    approvals: verdicts.filter((state) => state === 'APPROVED').length,
    changesRequested: verdicts.includes('CHANGES_REQUESTED'),
  };
}

/**
 * Merges pinned to `sha`, one call. 409: the head moved since it was evaluated. 405: GitHub will
 * not merge it (conflicts, protection, draft). 422: the request was refused as invalid (e.g. a
 * merge method the repository disallows). Everything else is a failure, not an outcome.
 */
export async function mergePull(
  ctx: Ctx,
  number: number,
  sha: string,
  method: MergeMethod,
  message?: MergeMessage,
): Promise<MergeOutcome> {
  try {
    const { data } = await ctx.octokit.rest.pulls.merge({
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      pull_number: number,
      sha,
      merge_method: method,
      ...(message && method === 'squash'
        ? { commit_title: message.title, commit_message: message.body }
        : {}),
    });
    return { merged: true, sha: data.sha };
  } catch (error) {
    if (hasStatus(error, 409)) return { merged: false, reason: 'head_moved', detail: error.githubMessage };
    if (hasStatus(error, 405, 422))
      return { merged: false, reason: 'not_mergeable', detail: error.githubMessage };
    throw error;
  }
}
