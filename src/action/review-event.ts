import { z } from 'zod';
import {
  type ChangeRequest,
  type ChangeRequestRead,
  commentChangeRequest,
  reviewChangeRequest,
} from '../runtime/app/index.js';

/**
 * The changes a `pull_request_review` or `pull_request_review_comment` event asks for, read from
 * the event payload (GITHUB_EVENT_PATH). Pure. Bots are not obeyed; whether the author may
 * change the repository (write, maintain or admin) is asked of the API by the fix command, never
 * read from `author_association`: the workflow runs an agent with this job's token.
 */
export type ReviewEvent =
  | { kind: 'fix'; pr: number; branch: string; author: string; requests: ChangeRequest[] }
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
    user,
  }),
});

export const REVIEW_EVENTS = ['pull_request_review', 'pull_request_review_comment'] as const;

export function reviewEvent(eventName: string | undefined, payload: unknown): ReviewEvent | null {
  if (eventName === 'pull_request_review') {
    const parsed = reviewPayload.safeParse(payload);
    if (!parsed.success) return null;
    const { review, pull_request: pr, sender } = parsed.data;
    const read = reviewChangeRequest({ ...review, author: review.user?.login ?? null });
    return byPerson(read, pr, review.user?.login ?? null, sender, 'review');
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
    return byPerson(read, pr, comment.user?.login ?? null, sender, 'comment');
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
): ReviewEvent {
  const at = { pr: pr.number, branch: pr.head.ref };
  if (read.kind === 'skip') return { kind: 'skip', ...at, why: read.why };
  if (author === null) return { kind: 'skip', ...at, why: `the ${what} names no author` };
  if (sender?.type === 'Bot') return { kind: 'skip', ...at, why: `${author} is a bot` };
  return { kind: 'fix', ...at, author, requests: [read.request] };
}
