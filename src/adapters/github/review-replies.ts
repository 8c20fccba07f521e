import type { ReviewReplies } from '../../runtime/app/index.js';
import type { RepoCoordinates } from '../../runtime/forge/port.js';
import { createOctokit, DEFAULT_API_URL } from './octokit.js';
import { resolveReviewThread } from './review-threads.js';

/**
 * Answers to change requests on GitHub: a review comment in its thread
 * (pulls/create-reply-for-review-comment), anything else on the PR's conversation; a fixed
 * comment's thread is resolved (GraphQL resolveReviewThread).
 */
export function createReviewReplies(input: {
  token: string;
  repo: RepoCoordinates;
  env: Readonly<Record<string, string | undefined>>;
}): ReviewReplies {
  const octokit = createOctokit({
    token: input.token,
    baseUrl: input.env.GITHUB_API_URL ?? DEFAULT_API_URL,
    request: { fetch: globalThis.fetch },
  });
  const at = { owner: input.repo.owner, repo: input.repo.name };
  return {
    async reply(pr, request, body) {
      if (request.replyTo !== undefined && request.replyTo !== null) {
        await octokit.rest.pulls.createReplyForReviewComment({
          ...at,
          pull_number: pr,
          comment_id: request.replyTo,
          body,
        });
        return;
      }
      const login = request.author ?? '';
      const mention = /^[A-Za-z0-9-]+$/.test(login) ? `@${login} ` : '';
      await octokit.rest.issues.createComment({ ...at, issue_number: pr, body: `${mention}${body}` });
    },
    async resolve(pr, request) {
      if (request.replyTo === undefined || request.replyTo === null) return;
      await resolveReviewThread(octokit, at, pr, request.replyTo);
    },
  };
}
