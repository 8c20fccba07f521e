import type { Reporter } from '../ports.js';
import {
  type ReviewCommentMade,
  type ReviewSubmitted,
  reviewChangeRequests,
  uniqueById,
} from './change-requests.js';
import type { ChangeRequest } from './fix.js';

/**
 * What one review event asks of a PR, as a host read it from the event (the Action from its
 * payload): a fix to consider, or why not (no author, a bot, not a pull request). One review is one
 * fix: its body and all its line comments (`batch`), read from the forge, whichever of the review's
 * events runs.
 */
export type ReviewAsk =
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

/**
 * The fix's requests once the review's line comments are read: what the event asked, then every
 * line comment of its review (the review's own rule, `reviewChangeRequests`), each once.
 */
export function withReviewComments(
  ask: Extract<ReviewAsk, { kind: 'fix' }>,
  comments: readonly ReviewCommentMade[],
): { requests: ChangeRequest[]; why: string | null } {
  const review: ReviewSubmitted = ask.batch?.review ?? {
    id: ask.batch?.reviewId ?? 0,
    // Read from a comment's event: the review's body is its own event's to ask.
    state: 'commented',
    body: null,
    author: ask.author,
  };
  const read = reviewChangeRequests(review, comments);
  // The review's order (its body, then its comments oldest first); the event's own if the forge missed it.
  const requests = uniqueById([...read.requests, ...ask.requests]);
  return { requests, why: requests.length > 0 ? null : (read.why ?? ask.why) };
}

/** What the forge answers about a review: whether its author may write, and its line comments. */
export interface ReviewForge {
  writeAccess(author: string): Promise<{ allowed: boolean; role: string }>;
  reviewComments(pr: number, reviewId: number): Promise<ReviewCommentMade[]>;
}

/** The requests a review's fix runs, or why it runs nothing (as data the host words). */
export type ReviewFixRequests =
  | { kind: 'requests'; requests: ChangeRequest[] }
  | { kind: 'nothing'; why: string }
  | { kind: 'no_write'; author: string; role: string };

/**
 * What a review asks that a fix may run: nothing for a skipped event or an author who may not
 * write (asked of the forge, never read from the payload: the fix runs an agent with the host's
 * token); else the whole review's requests. Unread comments (the forge failed) leave the event's
 * own requests to run alone, with a warning: the review's other events still ask for theirs.
 */
export async function reviewFixRequests(
  ask: ReviewAsk,
  forge: ReviewForge,
  reporter: Reporter,
): Promise<ReviewFixRequests> {
  if (ask.kind === 'skip') return { kind: 'nothing', why: ask.why };
  const access = await forge.writeAccess(ask.author);
  if (!access.allowed) return { kind: 'no_write', author: ask.author, role: access.role };
  let batch: { requests: ChangeRequest[]; why: string | null } = { requests: ask.requests, why: ask.why };
  if (ask.batch !== null) {
    try {
      batch = withReviewComments(ask, await forge.reviewComments(ask.pr, ask.batch.reviewId));
    } catch (error) {
      reporter.warn(
        `fix: the line comments of review ${ask.batch.reviewId} were not read, so only this event's request(s) run: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (batch.requests.length === 0)
    return { kind: 'nothing', why: batch.why ?? 'the review asks for nothing' };
  return { kind: 'requests', requests: batch.requests };
}
