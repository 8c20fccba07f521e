import { z } from 'zod';
import { ForgeError } from '../../runtime/errors.js';
import type { PullRequest } from '../../runtime/forge/port.js';
import { GitHubApiError } from './errors.js';
import { type Ctx, toPullRequest } from './pulls.js';

/**
 * Marking a draft PR ready for review. REST can open a PR as a draft but never change it later,
 * so this goes through GraphQL's `markPullRequestReadyForReview`, which takes the PR's node id
 * (REST's `node_id`). There is no mutation the other way here: omk never makes a PR a draft.
 */
export const MARK_READY_MUTATION = `mutation omkMarkReadyForReview($pullRequestId: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $pullRequestId }) { pullRequest { isDraft } }
}`;

const markReadyAnswer = z.object({
  markPullRequestReadyForReview: z.object({ pullRequest: z.object({ isDraft: z.boolean() }) }),
});

/**
 * Reads the PR (its node id and whether it is a draft now), then sends the mutation only for an
 * open draft: two calls for a draft, one for anything else, which is returned as it is.
 */
export async function markPullReady(ctx: Ctx, number: number): Promise<PullRequest> {
  const { data } = await ctx.octokit.rest.pulls.get({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    pull_number: number,
  });
  const pull = toPullRequest(data);
  if (!pull.draft || pull.state !== 'open') return pull;
  let answer: unknown;
  try {
    answer = await ctx.octokit.graphql(MARK_READY_MUTATION, { pullRequestId: data.node_id });
  } catch (error) {
    // HTTP failures are already GitHubApiErrors; GraphQL answers its refusals with 200 and `errors`.
    if (error instanceof GitHubApiError) throw error;
    throw new ForgeError(`GitHub did not mark PR #${number} ready for review: ${graphqlMessages(error)}.`, {
      hint: 'Give the token Pull requests: write, or mark the PR ready for review on GitHub, then deliver again.',
    });
  }
  const parsed = markReadyAnswer.safeParse(answer);
  if (!parsed.success) {
    throw new ForgeError(`GitHub's answer to marking PR #${number} ready for review was not understood.`, {
      hint: 'Mark the PR ready for review on GitHub, then deliver again.',
    });
  }
  return { ...pull, draft: parsed.data.markPullRequestReadyForReview.pullRequest.isDraft };
}

/** The `errors[].message` of a GraphQL refusal (never the request, which holds nothing secret but is long). */
function graphqlMessages(error: unknown): string {
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    const messages = errors
      .map((e) => (typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined))
      .filter((m): m is string => typeof m === 'string');
    if (messages.length > 0) return messages.join('; ');
  }
  return 'the request failed';
}
