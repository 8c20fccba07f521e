import { describe, expect, it } from 'vitest';
import {
  changeTextProblem,
  commandChangeRequest,
  commentChangeRequest,
  reviewChangeRequest,
} from './change-requests.js';

const review = (state: string, body: string | null) => ({ id: 9, state, body, author: 'octo' });
const comment = (extra: Partial<Parameters<typeof commentChangeRequest>[0]> = {}) => ({
  id: 11,
  body: 'rename x',
  path: 'src/a.js',
  line: 4,
  author: 'octo',
  inReplyTo: null,
  ...extra,
});

describe('reviewChangeRequest', () => {
  it('makes a changes-requested review with a body one request answered on the PR', () => {
    expect(reviewChangeRequest(review('CHANGES_REQUESTED', ' fix it '))).toEqual({
      kind: 'request',
      request: { id: 'review:9', text: 'fix it', author: 'octo', replyTo: null },
    });
  });

  it('skips an approval and a comment-only review, saying why', () => {
    expect(reviewChangeRequest(review('approved', 'lgtm'))).toEqual({
      kind: 'skip',
      why: 'the review approved, it does not request changes',
    });
    expect(reviewChangeRequest(review('commented', 'hm')).kind).toBe('skip');
  });

  it('skips a changes-requested review without text: its line comments come as their own events', () => {
    for (const body of [null, '', '  \n']) {
      expect(reviewChangeRequest(review('changes_requested', body))).toEqual({
        kind: 'skip',
        why: 'the review has no text (its line comments are their own events)',
      });
    }
  });
});

describe('commentChangeRequest', () => {
  it('makes a new line comment one request on its path and line, answered in its thread', () => {
    expect(commentChangeRequest(comment({ action: 'created' }))).toEqual({
      kind: 'request',
      request: {
        id: 'review-comment:11',
        text: 'rename x',
        path: 'src/a.js',
        line: 4,
        author: 'octo',
        replyTo: 11,
      },
    });
  });

  it('skips an edited or deleted comment, a reply in a thread and an empty comment', () => {
    expect(commentChangeRequest(comment({ action: 'edited' }))).toEqual({
      kind: 'skip',
      why: 'the comment was edited',
    });
    expect(commentChangeRequest(comment({ inReplyTo: 10 }))).toEqual({
      kind: 'skip',
      why: 'the comment is a reply in a thread',
    });
    expect(commentChangeRequest(comment({ body: ' ' }))).toEqual({
      kind: 'skip',
      why: 'the comment has no text',
    });
  });
});

describe('changeTextProblem', () => {
  it('refuses an empty change and one longer than a goal may be, trimmed first', () => {
    expect(changeTextProblem('  \n ')).toEqual({ problem: 'empty' });
    expect(changeTextProblem(` ${'a'.repeat(8_000)} `)).toBeNull();
    expect(changeTextProblem('a'.repeat(8_001))).toEqual({ problem: 'too_long', length: 8_001, max: 8_000 });
    expect(changeTextProblem('rename x')).toBeNull();
  });
});

describe('commandChangeRequest', () => {
  it("asks a fix command's change by its comment's id, apart from a review's and a line comment's", () => {
    const asked = commandChangeRequest({ commentId: 9, text: 'rename x', author: 'octo' });
    expect(asked).toEqual({ id: 'comment:9', text: 'rename x', author: 'octo', replyTo: null });
    const read = [
      reviewChangeRequest(review('CHANGES_REQUESTED', 'rename x')),
      commentChangeRequest(comment({ id: 9 })),
    ];
    const ids = read.map((one) => (one.kind === 'request' ? one.request.id : one.why));
    expect(ids).toEqual(['review:9', 'review-comment:9']);
    expect(ids).not.toContain(asked.id);
  });
});
