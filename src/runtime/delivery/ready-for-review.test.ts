import { describe, expect, it } from 'vitest';
import { marksReadyNow, plannedReadyForReview, readyForReviewWords } from './ready-for-review.js';

describe('when delivery marks a PR ready for review', () => {
  it('plans it for a recorded draft (or a record that predates the draft state) under auto-pr only', () => {
    const ready = false;
    const draftPolicy = true;
    expect(plannedReadyForReview(ready, { number: 3, draft: true })).toEqual({
      number: 3,
      recordedDraft: true,
    });
    expect(plannedReadyForReview(ready, { number: 3, draft: null })).toEqual({
      number: 3,
      recordedDraft: null,
    });
    // Recorded ready, not yet opened, or a draft-pr delivery: nothing to mark.
    expect(plannedReadyForReview(ready, { number: 3, draft: false })).toBeNull();
    expect(plannedReadyForReview(ready, null)).toBeNull();
    expect(plannedReadyForReview(draftPolicy, { number: 3, draft: true })).toBeNull();
    expect(plannedReadyForReview(draftPolicy, { number: 3, draft: false })).toBeNull();
  });

  it('marks only an open draft, as the forge answered it, and never makes a PR a draft', () => {
    expect(marksReadyNow(false, { draft: true, state: 'open' })).toBe(true);
    // Someone marked it ready already, it is closed or merged, or the policy wants drafts.
    expect(marksReadyNow(false, { draft: false, state: 'open' })).toBe(false);
    expect(marksReadyNow(false, { draft: true, state: 'closed' })).toBe(false);
    expect(marksReadyNow(false, { draft: true, state: 'merged' })).toBe(false);
    expect(marksReadyNow(true, { draft: true, state: 'open' })).toBe(false);
    expect(marksReadyNow(true, { draft: false, state: 'open' })).toBe(false);
  });

  it('words the plan with what delivery.json knows', () => {
    expect(readyForReviewWords({ number: 3, recordedDraft: true })).toBe(
      'would mark #3 ready for review (a draft when last delivered)',
    );
    expect(readyForReviewWords({ number: 3, recordedDraft: null })).toBe(
      'would mark #3 ready for review if it is a draft',
    );
  });
});
