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
