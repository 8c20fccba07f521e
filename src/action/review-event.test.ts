import { describe, expect, it } from 'vitest';
import { reviewEvent } from './review-event.js';

const pull = { number: 3, head: { ref: 'omk/g-1/integration' } };
const review = (state: string, body: string, senderType = 'User') => ({
  pull_request: pull,
  sender: { login: 'octo', type: senderType },
  review: { id: 9, state, body, user: { login: 'octo' }, author_association: 'MEMBER' },
});
const comment = (extra: Record<string, unknown> = {}) => ({
  action: 'created',
  pull_request: pull,
  sender: { login: 'octo', type: 'User' },
  comment: {
    id: 11,
    body: 'rename x',
    path: 'src/a.js',
    line: 4,
    user: { login: 'octo' },
    author_association: 'COLLABORATOR',
    ...extra,
  },
});

describe('reviewEvent', () => {
  it('reads a changes-requested review as one request answered on the PR', () => {
    expect(reviewEvent('pull_request_review', review('changes_requested', ' fix it '))).toEqual({
      kind: 'fix',
      pr: 3,
      branch: 'omk/g-1/integration',
      author: 'octo',
      requests: [{ id: 'review:9', text: 'fix it', author: 'octo', replyTo: null }],
    });
  });

  it('reads a review comment as a request on its path and line, answered in its thread', () => {
    const event = reviewEvent('pull_request_review_comment', comment());
    expect(event?.kind === 'fix' ? event.requests : null).toEqual([
      { id: 'review-comment:11', text: 'rename x', path: 'src/a.js', line: 4, author: 'octo', replyTo: 11 },
    ]);
  });

  it('skips approvals, empty reviews, replies, bots and comments without an author', () => {
    const skips = [
      reviewEvent('pull_request_review', review('approved', 'lgtm')),
      reviewEvent('pull_request_review', review('changes_requested', '  ')),
      reviewEvent('pull_request_review', review('changes_requested', 'x', 'Bot')),
      reviewEvent('pull_request_review_comment', comment({ in_reply_to_id: 10 })),
      reviewEvent('pull_request_review_comment', comment({ user: null })),
    ];
    expect(skips.map((event) => (event?.kind === 'skip' ? event.why : event?.kind))).toEqual([
      'the review approved, it does not request changes',
      'the review has no text (its line comments are their own events)',
      'octo is a bot',
      'the comment is a reply in a thread',
      'the comment names no author',
    ]);
  });

  it('leaves who may ask to the API: author_association is not trusted either way', () => {
    const outsider = reviewEvent('pull_request_review_comment', comment({ author_association: 'NONE' }));
    expect(outsider).toMatchObject({ kind: 'fix', author: 'octo' });
  });

  it('is null for other events and for payloads without a pull request', () => {
    expect(reviewEvent('push', {})).toBeNull();
    expect(reviewEvent('pull_request_review', { review: { id: 1, state: 'x' } })).toBeNull();
  });
});
