import { z } from 'zod';
import {
  type ChangeRequestRead,
  commentChangeRequest,
  type ReviewAsk,
  reviewChangeRequest,
} from '../../runtime/app/index.js';

/**
 * The changes a `pull_request_review` or `pull_request_review_comment` event asks for, read from
 * the event payload (GITHUB_EVENT_PATH) as the runtime's `ReviewAsk`. Pure. Bots are not obeyed;
 * whether the author may change the repository is asked of the API (`reviewFixRequests`), never
 * read from `author_association`: the workflow runs an agent with this job's token.
 *
 * GitHub sends one event for the review and one per line comment, and a workflow's concurrency
 * group keeps only the latest pending run, so any of them may be the one that runs; the others
 * find the review's requests handled and start nothing.
 */
const user = z.object({ login: z.string(), type: z.string().optional() }).nullable().optional();
const pull = z.object({ number: z.number().int().positive(), head: z.object({ ref: z.string() }) });
const reviewPayload = z.object({
  pull_request: pull,
  sender: user,
  review: z.object({
    id: z.number().int(),
    state: z.string(),
    body: z.string().nullable().optional(),
    user,
  }),
});
const commentPayload = z.object({
  action: z.string().optional(),
  pull_request: pull,
  sender: user,
  comment: z.object({
    id: z.number().int(),
    body: z.string(),
    path: z.string().optional(),
    line: z.number().int().nullable().optional(),
    original_line: z.number().int().nullable().optional(),
    in_reply_to_id: z.number().int().nullable().optional(),
    pull_request_review_id: z.number().int().nullable().optional(),
    user,
  }),
});

export const REVIEW_EVENTS = ['pull_request_review', 'pull_request_review_comment'] as const;

export function reviewEvent(eventName: string | undefined, payload: unknown): ReviewAsk | null {
  if (eventName === 'pull_request_review') {
    const parsed = reviewPayload.safeParse(payload);
    if (!parsed.success) return null;
    const { review, pull_request: pr, sender } = parsed.data;
    const author = review.user?.login ?? null;
    const at = { pr: pr.number, branch: pr.head.ref };
    if (author === null) return { kind: 'skip', ...at, why: 'the review names no author' };
    if (sender?.type === 'Bot') return { kind: 'skip', ...at, why: `${author} is a bot` };
    const submitted = { ...review, author };
    // A review that asks nothing in its body may still ask in its line comments.
    const read = reviewChangeRequest(submitted);
    return {
      kind: 'fix',
      ...at,
      author,
      requests: read.kind === 'request' ? [read.request] : [],
      batch: { reviewId: review.id, review: submitted },
      why: read.kind === 'skip' ? read.why : null,
    };
  }
  if (eventName === 'pull_request_review_comment') {
    const parsed = commentPayload.safeParse(payload);
    if (!parsed.success) return null;
    const { comment, pull_request: pr, sender, action } = parsed.data;
    const read = commentChangeRequest({
      id: comment.id,
      body: comment.body,
      path: comment.path ?? null,
      line: comment.line ?? comment.original_line ?? null,
      author: comment.user?.login ?? null,
      inReplyTo: comment.in_reply_to_id ?? null,
      ...(action === undefined ? {} : { action }),
    });
    const event = byPerson(read, pr, comment.user?.login ?? null, sender, 'comment');
    const reviewId = comment.pull_request_review_id ?? null;
    return event.kind === 'fix' && reviewId !== null
      ? { ...event, batch: { reviewId, review: null } }
      : event;
  }
  return null;
}

/** The runtime's reading of the review, when a person (not a bot) wrote it. */
function byPerson(
  read: ChangeRequestRead,
  pr: z.infer<typeof pull>,
  author: string | null,
  sender: z.infer<typeof user>,
  what: 'review' | 'comment',
): ReviewAsk {
  const at = { pr: pr.number, branch: pr.head.ref };
  if (read.kind === 'skip') return { kind: 'skip', ...at, why: read.why };
  if (author === null) return { kind: 'skip', ...at, why: `the ${what} names no author` };
  if (sender?.type === 'Bot') return { kind: 'skip', ...at, why: `${author} is a bot` };
  return { kind: 'fix', ...at, author, requests: [read.request], batch: null, why: null };
}
