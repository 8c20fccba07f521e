import type { ChangeRequest } from './fix.js';

/**
 * Which reviews on a PR ask omk for a change, whichever front door hears them (the Action from
 * its event payload, the bot from its webhook). Whether the reviewer may ask is the host's
 * question (repository association, bots allowed): it is answered after this rule.
 */
export type ChangeRequestRead = { kind: 'request'; request: ChangeRequest } | { kind: 'skip'; why: string };

/** A submitted review: its state and body. */
export interface ReviewSubmitted {
  id: number;
  state: string;
  body?: string | null | undefined;
  author: string | null;
}

/** A comment on a line of the PR's diff. */
export interface ReviewCommentMade {
  id: number;
  body: string;
  path: string | null;
  line: number | null;
  author: string | null;
  /** The comment it answers in a thread; null: it starts one. */
  inReplyTo: number | null;
  /** The webhook action (created, edited, deleted); undefined when the host has none. */
  action?: string;
}

/** A review that requests changes with a body is one request, answered on the PR. */
export function reviewChangeRequest(review: ReviewSubmitted): ChangeRequestRead {
  const state = review.state.toLowerCase();
  if (state !== 'changes_requested') {
    return { kind: 'skip', why: `the review ${state}, it does not request changes` };
  }
  const text = (review.body ?? '').trim();
  if (text === '') {
    return { kind: 'skip', why: 'the review has no text (its line comments are their own events)' };
  }
  return {
    kind: 'request',
    request: { id: `review:${review.id}`, text, author: review.author, replyTo: null },
  };
}

/**
 * A new comment on a line is one request on that path and line, answered in its thread; a reply
 * in a thread (omk's own answers included) is conversation, not a new request.
 */
export function commentChangeRequest(comment: ReviewCommentMade): ChangeRequestRead {
  if (comment.action !== undefined && comment.action !== 'created') {
    return { kind: 'skip', why: `the comment was ${comment.action}` };
  }
  if (comment.inReplyTo !== null) return { kind: 'skip', why: 'the comment is a reply in a thread' };
  if (comment.body.trim() === '') return { kind: 'skip', why: 'the comment has no text' };
  return {
    kind: 'request',
    request: {
      id: `review-comment:${comment.id}`,
      text: comment.body,
      path: comment.path,
      line: comment.line,
      author: comment.author,
      replyTo: comment.id,
    },
  };
}

/**
 * A change asked by a thread's `fix` command (the bot's `/omk goal fix "…"` on an omk PR): one
 * request answered on the PR, its id the comment's (`comment:<id>`), so a redelivered comment
 * asks nothing twice and never meets a review's (`review:`) or a line comment's (`review-comment:`).
 */
export function commandChangeRequest(command: {
  commentId: number;
  text: string;
  author: string;
}): ChangeRequest {
  return { id: `comment:${command.commentId}`, text: command.text, author: command.author, replyTo: null };
}

/** The most characters a change asked in words may take (as a goal's text). */
export const MAX_CHANGE_CHARS = 8_000;

/** What is wrong with a change asked in words (`omk goal fix`, `/omk goal fix`), or null. */
export type ChangeTextProblem = { problem: 'empty' } | { problem: 'too_long'; length: number; max: number };

export function changeTextProblem(text: string): ChangeTextProblem | null {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'empty' };
  if (trimmed.length > MAX_CHANGE_CHARS) {
    return { problem: 'too_long', length: trimmed.length, max: MAX_CHANGE_CHARS };
  }
  return null;
}

/** What one submitted review asks for, with why nothing when it asks for nothing. */
export interface ReviewRequests {
  requests: ChangeRequest[];
  /** Set when `requests` is empty: the body's reason, and that no line comment asks either. */
  why: string | null;
}

/**
 * Everything one review asks, as one batch (one fix, one commit, one answer per request): its
 * body when it requests changes, then each of its line comments that starts a thread, oldest
 * first, each once. Line comments by anyone but the review's author are not its own and are left
 * out. The Action reads the comments from the API; the bot gathers them as their webhooks arrive.
 */
export function reviewChangeRequests(
  review: ReviewSubmitted,
  comments: readonly ReviewCommentMade[],
): ReviewRequests {
  const body = reviewChangeRequest(review);
  const own = [...comments]
    .filter((comment) => review.author === null || comment.author === review.author)
    .sort((a, b) => a.id - b.id);
  const lines = own.flatMap((comment) => {
    const read = commentChangeRequest(comment);
    return read.kind === 'request' ? [read.request] : [];
  });
  const requests = [...(body.kind === 'request' ? [body.request] : []), ...lines];
  if (requests.length > 0) return { requests: uniqueById(requests), why: null };
  const state = review.state.toLowerCase();
  const why =
    state === 'changes_requested'
      ? 'the review has no text'
      : `the review ${state}, it does not request changes`;
  return {
    requests: [],
    why:
      own.length === 0
        ? `${why}, and it has no line comments`
        : `${why}, and none of its ${own.length} line comment(s) asks for a change`,
  };
}

/** The first of each id: a request met twice (the event's own comment, then the API's) runs once. */
export function uniqueById(requests: readonly ChangeRequest[]): ChangeRequest[] {
  const seen = new Set<string>();
  return requests.filter((request) => {
    if (seen.has(request.id)) return false;
    seen.add(request.id);
    return true;
  });
}
