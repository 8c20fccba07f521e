import type { Octokit } from '@octokit/rest';
import type { RepoCoordinates } from '../../runtime/forge/port.js';
import type { ReviewReplies } from '../../runtime/forge/review-replies.js';
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
  return octokitReviewReplies(octokit, input.repo);
}

/** The same answers through an Octokit a host made already (the GitHub forge's). */
export function octokitReviewReplies(octokit: Octokit, repo: RepoCoordinates): ReviewReplies {
  const at = { owner: repo.owner, repo: repo.name };
  return reviewRepliesVia({
    async inThread(pr, commentId, body) {
      await octokit.rest.pulls.createReplyForReviewComment({
        ...at,
        pull_number: pr,
        comment_id: commentId,
        body,
      });
    },
    async onPull(pr, body) {
      await octokit.rest.issues.createComment({ ...at, issue_number: pr, body });
    },
    async resolveThread(pr, commentId) {
      await resolveReviewThread(octokit, at, pr, commentId);
    },
  });
}

/** The two places an answer can go on a forge. */
export interface ReplyPosts {
  /** A reply in a review comment's thread. */
  inThread(pr: number, commentId: number, body: string): Promise<void>;
  /** A comment on the PR's conversation. */
  onPull(pr: number, body: string): Promise<void>;
  /** Resolves the review thread a review comment opened (GraphQL resolveReviewThread). */
  resolveThread(pr: number, commentId: number): Promise<void>;
}

/** Each request is answered where it was asked: in its review thread, else on the PR with a mention. */
export function reviewRepliesVia(posts: ReplyPosts): ReviewReplies {
  return {
    async reply(pr, request, body) {
      if (request.replyTo !== undefined && request.replyTo !== null) {
        await posts.inThread(pr, request.replyTo, body);
        return;
      }
      const login = request.author ?? '';
      const mention = /^[A-Za-z0-9-]+$/.test(login) ? `@${login} ` : '';
      await posts.onPull(pr, `${mention}${body}`);
    },
    async resolve(pr, request) {
      if (request.replyTo === undefined || request.replyTo === null) return;
      await posts.resolveThread(pr, request.replyTo);
    },
  };
}
