import { z } from 'zod';
import {
  type ChangeRequest,
  type ChangeRequestRead,
  commentChangeRequest,
  type ReviewCommentMade,
  type ReviewSubmitted,
  reviewChangeRequest,
  reviewChangeRequests,
  uniqueById,
} from '../runtime/app/index.js';

/**
 * The changes a `pull_request_review` or `pull_request_review_comment` event asks for, read from
 * the event payload (GITHUB_EVENT_PATH). Pure. Bots are not obeyed; whether the author may
 * change the repository (write, maintain or admin) is asked of the API by the fix command, never
 * read from `author_association`: the workflow runs an agent with this job's token.
 *
 * One review is one fix: its body and all its line comments (`batch`), which the fix command reads
 * from the API (`withReviewComments`), whichever of the review's events runs. GitHub sends one
 * event for the review and one per line comment, and a workflow's concurrency group keeps only
 * the latest pending run, so any of them may be the one that runs; the others find the review's
 * requests handled and start nothing.
 */
export type ReviewEvent =
  | {
      kind: 'fix';
      pr: number;
      branch: string;
      author: string;
      /** What the event itself asks (a review's body, or one line comment); may be empty. */
      requests: ChangeRequest[];
      /** The review whose line comments join this fix; null: the event names none. */
      batch: { reviewId: number; review: ReviewSubmitted | null } | null;
      /** Why nothing, should the review's comments add nothing either. */
      why: string | null;
    }
  | { kind: 'skip'; pr: number | null; branch: string | null; why: string };

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

export function reviewEvent(eventName: string | undefined, payload: unknown): ReviewEvent | null {
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

/**
 * The fix's requests once the review's line comments are read: what the event asked, then every
 * line comment of its review (the review's own rule, `reviewChangeRequests`), each once.
 */
export function withReviewComments(
  event: Extract<ReviewEvent, { kind: 'fix' }>,
  comments: readonly ReviewCommentMade[],
): { requests: ChangeRequest[]; why: string | null } {
  const review: ReviewSubmitted = event.batch?.review ?? {
    id: event.batch?.reviewId ?? 0,
    // Read from a comment's event: the review's body is its own event's to ask.
    state: 'commented',
    body: null,
    author: event.author,
  };
  const read = reviewChangeRequests(review, comments);
  // The review's order (its body, then its comments oldest first); the event's own if the API missed it.
  const requests = uniqueById([...read.requests, ...event.requests]);
  return { requests, why: requests.length > 0 ? null : (read.why ?? event.why) };
}

/** The runtime's reading of the review, when a person (not a bot) wrote it. */
function byPerson(
  read: ChangeRequestRead,
  pr: z.infer<typeof pull>,
  author: string | null,
  sender: z.infer<typeof user>,
  what: 'review' | 'comment',
): ReviewEvent {
  const at = { pr: pr.number, branch: pr.head.ref };
  if (read.kind === 'skip') return { kind: 'skip', ...at, why: read.why };
  if (author === null) return { kind: 'skip', ...at, why: `the ${what} names no author` };
  if (sender?.type === 'Bot') return { kind: 'skip', ...at, why: `${author} is a bot` };
  return { kind: 'fix', ...at, author, requests: [read.request], batch: null, why: null };
}
