import type { ApiResponse, Ctx } from './http.js';
import { isRecord } from './http.js';
import { pullNodeId } from './pull-shape.js';
import { timestamp } from './state.js';

/**
 * The GraphQL endpoint (POST /graphql), as small as omk needs and strict: the `reviewThreads` of a
 * pull request and the `resolveReviewThread` and `markPullRequestReadyForReview` mutations. Any other document, an unknown field or a
 * variable of the wrong type is a GraphQL error (HTTP 200 with `errors`, as GitHub answers), and
 * the call is recorded as unexpected, so a test that reaches for more fails.
 */

/** A thread is named by its first comment: `PRRT_<id>`. */
export function threadNodeId(rootCommentId: number): string {
  return `PRRT_fake${rootCommentId}`;
}

const THREADS_FIELDS = new Set([
  'query',
  'repository',
  'owner',
  'name',
  'pullRequest',
  'number',
  'reviewThreads',
  'first',
  'after',
  'nodes',
  'id',
  'isResolved',
  'comments',
  'databaseId',
  'pageInfo',
  'hasNextPage',
  'endCursor',
  'String',
  'Int',
]);
const RESOLVE_FIELDS = new Set([
  'mutation',
  'resolveReviewThread',
  'input',
  'threadId',
  'thread',
  'id',
  'isResolved',
  'ID',
]);

const READY_FIELDS = new Set([
  'mutation',
  'markPullRequestReadyForReview',
  'input',
  'pullRequestId',
  'pullRequest',
  'isDraft',
  'ID',
]);

export interface GraphqlAnswer {
  response: ApiResponse;
  /** False: the document is not one the fake serves (recorded as unexpected). */
  known: boolean;
}

function graphqlError(message: string, known = true): GraphqlAnswer {
  return { response: { status: 200, body: { data: null, errors: [{ message }] } }, known };
}

/** Identifiers used in the document, operation names and variables left out. */
function fieldsOf(document: string): string[] {
  const body = document.replace(/^\s*(query|mutation)\s+\w+/, '$1').replace(/\$\w+/g, '');
  return [...body.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]);
}

export function answerGraphql(ctx: Ctx, login: string, body: unknown): GraphqlAnswer {
  if (!isRecord(body) || typeof body.query !== 'string') {
    return graphqlError('A query attribute must be specified and must be a string.', false);
  }
  const document = body.query;
  const variables = isRecord(body.variables) ? body.variables : {};
  const fields = fieldsOf(document);
  if (/^\s*query\b/.test(document) && fields.includes('reviewThreads')) {
    const unknown = fields.filter((f) => !THREADS_FIELDS.has(f));
    if (unknown.length > 0)
      return graphqlError(`fake-github: fields not served: ${unknown.join(', ')}`, false);
    return reviewThreads(ctx, variables);
  }
  if (/^\s*mutation\b/.test(document) && fields.includes('resolveReviewThread')) {
    const unknown = fields.filter((f) => !RESOLVE_FIELDS.has(f));
    if (unknown.length > 0)
      return graphqlError(`fake-github: fields not served: ${unknown.join(', ')}`, false);
    return resolveThread(ctx, login, variables);
  }
  if (/^\s*mutation\b/.test(document) && fields.includes('markPullRequestReadyForReview')) {
    const unknown = fields.filter((f) => !READY_FIELDS.has(f));
    if (unknown.length > 0)
      return graphqlError(`fake-github: fields not served: ${unknown.join(', ')}`, false);
    return markReady(ctx, login, variables);
  }
  return graphqlError(`fake-github: this GraphQL document is not served: ${document.slice(0, 200)}`, false);
}

function reviewThreads(ctx: Ctx, variables: Record<string, unknown>): GraphqlAnswer {
  const { owner, repo, number } = variables;
  if (typeof owner !== 'string' || typeof repo !== 'string' || typeof number !== 'number') {
    return graphqlError('Variables owner (String!), repo (String!) and number (Int!) are required.');
  }
  if (
    owner.toLowerCase() !== ctx.site.owner.toLowerCase() ||
    repo.toLowerCase() !== ctx.site.repo.toLowerCase()
  ) {
    return graphqlError(`Could not resolve to a Repository with the name '${owner}/${repo}'.`);
  }
  const pull = ctx.state.pulls.get(number);
  if (pull === undefined)
    return graphqlError(`Could not resolve to a PullRequest with the number of ${number}.`);
  const roots = ctx.state.reviewComments.filter((c) => c.pullNumber === number && c.inReplyTo === null);
  const nodes = roots.map((root) => ({
    id: threadNodeId(root.id),
    isResolved: ctx.state.resolvedThreads.has(root.id),
    comments: { nodes: [{ databaseId: root.id }] },
  }));
  const reviewThreads = { nodes, pageInfo: { hasNextPage: false, endCursor: null } };
  return {
    response: { status: 200, body: { data: { repository: { pullRequest: { reviewThreads } } } } },
    known: true,
  };
}

function resolveThread(ctx: Ctx, login: string, variables: Record<string, unknown>): GraphqlAnswer {
  const { threadId } = variables;
  if (typeof threadId !== 'string') return graphqlError('Variable threadId (ID!) is required.');
  const root = ctx.state.reviewComments.find((c) => c.inReplyTo === null && threadNodeId(c.id) === threadId);
  if (root === undefined)
    return graphqlError(`Could not resolve to a node with the global id of '${threadId}'.`);
  if (!['admin', 'maintain', 'write'].includes(ctx.permissionOf(login))) {
    return graphqlError('Resource not accessible by integration');
  }
  ctx.state.resolvedThreads.set(root.id, login);
  return {
    response: {
      status: 200,
      body: { data: { resolveReviewThread: { thread: { id: threadId, isResolved: true } } } },
    },
    known: true,
  };
}

/**
 * `markPullRequestReadyForReview` by the PR's node id (the REST `node_id` of pull-shape.ts). Like
 * GitHub it needs write access and refuses a PR that is not an open draft, so a client that sends
 * it for a ready or closed PR fails here instead of passing unnoticed.
 */
function markReady(ctx: Ctx, login: string, variables: Record<string, unknown>): GraphqlAnswer {
  const { pullRequestId } = variables;
  if (typeof pullRequestId !== 'string') return graphqlError('Variable pullRequestId (ID!) is required.');
  const pull = [...ctx.state.pulls.values()].find((p) => pullNodeId(p.number) === pullRequestId);
  if (pull === undefined)
    return graphqlError(`Could not resolve to a node with the global id of '${pullRequestId}'.`);
  if (!['admin', 'maintain', 'write'].includes(ctx.permissionOf(login))) {
    return graphqlError('Resource not accessible by integration');
  }
  if (pull.state !== 'open') return graphqlError('Pull request is closed');
  if (!pull.draft) return graphqlError('Pull request is not in draft state');
  pull.draft = false;
  pull.updatedAt = timestamp();
  return {
    response: {
      status: 200,
      body: { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } },
    },
    known: true,
  };
}
