/**
 * When delivery marks a PR ready for review. A delivery whose policy opens PRs ready for review
 * (`auto-pr`) marks a goal's draft PRs ready, so a goal first delivered as drafts (the default
 * `local` policy's `open-pr`, or `draft-pr`) can still be merged after `open-pr --policy auto-pr`.
 * Never the other way: a `draft-pr` delivery leaves a ready PR ready.
 */

/** A recorded PR the plan would mark ready, and what delivery.json says of its draft state. */
export interface ReadyForReview {
  number: number;
  /** true: recorded as a draft; null: the record predates the draft state (marked if it is one). */
  recordedDraft: true | null;
}

/**
 * The plan's side (what `open-pr --dry-run` shows): a recorded PR that is, or may be, a draft,
 * under a policy whose PRs are ready. New PRs are opened in the policy's state and need nothing.
 */
export function plannedReadyForReview(
  draftPolicy: boolean,
  recorded: { number: number; draft: boolean | null } | null,
): ReadyForReview | null {
  if (draftPolicy || recorded === null || recorded.draft === false) return null;
  return { number: recorded.number, recordedDraft: recorded.draft };
}

/**
 * Delivery's side, on the forge's own answer just before: the PR is an open draft and the policy
 * says ready. A PR someone already marked ready, or a closed one, is left alone.
 */
export function marksReadyNow(draftPolicy: boolean, pull: { draft: boolean; state: string }): boolean {
  return !draftPolicy && pull.draft && pull.state === 'open';
}

/** The plan's line for it: `would mark #3 ready for review`, with what is known of its state. */
export function readyForReviewWords(ready: ReadyForReview): string {
  return ready.recordedDraft === true
    ? `would mark #${ready.number} ready for review (a draft when last delivered)`
    : `would mark #${ready.number} ready for review if it is a draft`;
}
