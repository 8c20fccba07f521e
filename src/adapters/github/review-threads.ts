import { z } from 'zod';

/**
 * Review threads through GitHub's GraphQL API (REST has no thread state): find the thread a review
 * comment opened and resolve it once its fix is in.
 */

/** What this module needs of an Octokit (the Action's and Probot's both have it). */
export interface GraphqlClient {
  graphql(query: string, parameters?: Record<string, unknown>): Promise<unknown>;
}

export const REVIEW_THREADS_QUERY = `query omkReviewThreads($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes { id isResolved comments(first: 1) { nodes { databaseId } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

export const RESOLVE_THREAD_MUTATION = `mutation omkResolveReviewThread($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;

const threadsAnswer = z.object({
  repository: z.object({
    pullRequest: z
      .object({
        reviewThreads: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              isResolved: z.boolean(),
              comments: z.object({ nodes: z.array(z.object({ databaseId: z.number().nullable() })) }),
            }),
          ),
          pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
        }),
      })
      .nullable(),
  }),
});

export type ResolveOutcome = 'resolved' | 'already_resolved' | 'not_found';

/** Resolves the review thread whose first comment is `commentId` on PR `pr`. */
export async function resolveReviewThread(
  client: GraphqlClient,
  at: { owner: string; repo: string },
  pr: number,
  commentId: number,
): Promise<ResolveOutcome> {
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const answer = threadsAnswer.parse(
      await client.graphql(REVIEW_THREADS_QUERY, { owner: at.owner, repo: at.repo, number: pr, after }),
    );
    const threads = answer.repository.pullRequest?.reviewThreads;
    if (threads === undefined) return 'not_found';
    const thread = threads.nodes.find((node) => node.comments.nodes[0]?.databaseId === commentId);
    if (thread !== undefined) {
      if (thread.isResolved) return 'already_resolved';
      await client.graphql(RESOLVE_THREAD_MUTATION, { threadId: thread.id });
      return 'resolved';
    }
    if (!threads.pageInfo.hasNextPage) return 'not_found';
    after = threads.pageInfo.endCursor;
  }
  return 'not_found';
}
