import type { ReviewCommentMade } from '../../runtime/app/index.js';
import type { RepoCoordinates } from '../../runtime/forge/port.js';
import { createOctokit, DEFAULT_API_URL } from './octokit.js';

/**
 * The line comments one review left on a PR (pulls/list-comments-for-review, every page), as the
 * runtime's change-request rule reads them.
 */
export async function reviewComments(
  input: { token: string; repo: RepoCoordinates; env: Readonly<Record<string, string | undefined>> },
  pr: number,
  reviewId: number,
): Promise<ReviewCommentMade[]> {
  const octokit = createOctokit({
    token: input.token,
    baseUrl: input.env.GITHUB_API_URL ?? DEFAULT_API_URL,
    request: { fetch: globalThis.fetch },
  });
  const comments = await octokit.paginate(octokit.rest.pulls.listCommentsForReview, {
    owner: input.repo.owner,
    repo: input.repo.name,
    pull_number: pr,
    review_id: reviewId,
    per_page: 100,
  });
  return comments.map(reviewCommentMade);
}

/** A line comment as GitHub sends it (REST answer or webhook payload), in the fields the change-request rule reads. */
export interface GitHubReviewComment {
  id: number;
  body: string;
  path: string;
  line?: number | null;
  original_line?: number | null;
  user?: { login: string } | null;
  in_reply_to_id?: number | null;
}

/** A GitHub line comment as the runtime's change-request rule reads it (its line, else the line it was made on). */
export function reviewCommentMade(comment: GitHubReviewComment): ReviewCommentMade {
  return {
    id: comment.id,
    body: comment.body,
    path: comment.path,
    line: comment.line ?? comment.original_line ?? null,
    author: comment.user?.login ?? null,
    inReplyTo: comment.in_reply_to_id ?? null,
  };
}
