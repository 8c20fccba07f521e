import { describe, expect, it } from 'vitest';
import { type ReviewAsk, withReviewComments } from '../../runtime/app/index.js';
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
      batch: {
        reviewId: 9,
        review: {
          id: 9,
          state: 'changes_requested',
          body: ' fix it ',
          author: 'octo',
          user: { login: 'octo' },
        },
      },
      why: null,
    });
  });

  it('reads a review comment as a request on its path and line, answered in its thread', () => {
    const event = reviewEvent('pull_request_review_comment', comment());
    expect(event?.kind === 'fix' ? event.requests : null).toEqual([
      { id: 'review-comment:11', text: 'rename x', path: 'src/a.js', line: 4, author: 'octo', replyTo: 11 },
    ]);
  });

  it('skips replies, bots and comments without an author', () => {
    const skips = [
      reviewEvent('pull_request_review', review('changes_requested', 'x', 'Bot')),
      reviewEvent('pull_request_review', review('commented', '', 'Bot')),
      reviewEvent('pull_request_review_comment', comment({ in_reply_to_id: 10 })),
      reviewEvent('pull_request_review_comment', comment({ user: null })),
    ];
    expect(skips.map((event) => (event?.kind === 'skip' ? event.why : event?.kind))).toEqual([
      'octo is a bot',
      'octo is a bot',
      'the comment is a reply in a thread',
      'the comment names no author',
    ]);
  });

  it('keeps a review whose body asks nothing for its line comments, saying why should they ask nothing', () => {
    const approved = reviewEvent('pull_request_review', review('approved', 'lgtm'));
    expect(approved).toMatchObject({
      kind: 'fix',
      requests: [],
      batch: { reviewId: 9 },
      why: 'the review approved, it does not request changes',
    });
    const fix = approved as Extract<ReviewAsk, { kind: 'fix' }>;
    expect(withReviewComments(fix, [])).toEqual({
      requests: [],
      why: 'the review approved, it does not request changes, and it has no line comments',
    });
    const reply = { id: 40, body: 'agreed', path: 'a.js', line: 1, author: 'octo', inReplyTo: 12 };
    expect(withReviewComments(fix, [reply]).why).toBe(
      'the review approved, it does not request changes, and none of its 1 line comment(s) asks for a change',
    );
  });

  it("batches a review's body and its line comments, oldest first, each once, the author's only", () => {
    const event = reviewEvent('pull_request_review', review('changes_requested', 'tidy up'));
    const line = (id: number, author = 'octo', inReplyTo: number | null = null) => ({
      id,
      body: `change ${id}`,
      path: 'src/a.js',
      line: id,
      author,
      inReplyTo,
    });
    const { requests } = withReviewComments(event as Extract<ReviewAsk, { kind: 'fix' }>, [
      line(31),
      line(30),
      line(32, 'someone-else'),
      line(33, 'octo', 30),
    ]);
    expect(requests.map((r) => [r.id, r.replyTo])).toEqual([
      ['review:9', null],
      ['review-comment:30', 30],
      ['review-comment:31', 31],
    ]);
  });

  it("a line comment's event batches its whole review; without a review id it stands alone", () => {
    const event = reviewEvent('pull_request_review_comment', comment({ pull_request_review_id: 9 }));
    expect(event).toMatchObject({ kind: 'fix', batch: { reviewId: 9, review: null } });
    const sibling = { id: 12, body: 'and y', path: 'src/b.js', line: 2, author: 'octo', inReplyTo: null };
    const mine = { id: 11, body: 'rename x', path: 'src/a.js', line: 4, author: 'octo', inReplyTo: null };
    const { requests } = withReviewComments(event as Extract<ReviewAsk, { kind: 'fix' }>, [sibling, mine]);
    expect(requests.map((r) => r.id)).toEqual(['review-comment:11', 'review-comment:12']);
    // The API missed it: the event's own comment still runs.
    expect(
      withReviewComments(event as Extract<ReviewAsk, { kind: 'fix' }>, [sibling]).requests.map((r) => r.id),
    ).toEqual(['review-comment:12', 'review-comment:11']);
    expect(reviewEvent('pull_request_review_comment', comment())).toMatchObject({ batch: null });
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
