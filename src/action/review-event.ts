import { z } from 'zod';
import type { ChangeRequest } from '../runtime/app/index.js';

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
    const at = { pr: pr.number, branch: pr.head.ref };
    if (review.state.toLowerCase() !== 'changes_requested') {
      return {
        kind: 'skip',
        ...at,
        why: `the review ${review.state.toLowerCase()}, it does not request changes`,
      };
    }
    const text = (review.body ?? '').trim();
    if (text === '')
      return { kind: 'skip', ...at, why: 'the review has no text (its line comments are their own events)' };
    const author = review.user?.login ?? null;
    if (sender?.type === 'Bot' || author === null) {
      return {
        kind: 'skip',
        ...at,
        why: author === null ? 'the review names no author' : `${author} is a bot`,
      };
    }
    return {
      kind: 'fix',
      ...at,
      author,
      requests: [{ id: `review:${review.id}`, text, author, replyTo: null }],
    };
  }
  if (eventName === 'pull_request_review_comment') {
    const parsed = commentPayload.safeParse(payload);
    if (!parsed.success) return null;
    const { comment, pull_request: pr, sender, action } = parsed.data;
    const at = { pr: pr.number, branch: pr.head.ref };
    if (action !== undefined && action !== 'created')
      return { kind: 'skip', ...at, why: `the comment was ${action}` };
    if (comment.in_reply_to_id !== undefined && comment.in_reply_to_id !== null) {
      return { kind: 'skip', ...at, why: 'the comment is a reply in a thread' };
    }
    const author = comment.user?.login ?? null;
    if (sender?.type === 'Bot' || author === null) {
      return {
        kind: 'skip',
        ...at,
        why: author === null ? 'the comment names no author' : `${author} is a bot`,
      };
    }
    return {
      kind: 'fix',
      ...at,
      author,
      requests: [
        {
          id: `review-comment:${comment.id}`,
          text: comment.body,
          path: comment.path ?? null,
          line: comment.line ?? comment.original_line ?? null,
          author,
          replyTo: comment.id,
        },
      ],
    };
  }
  return null;
}
