import { describe, expect, it } from 'vitest';
import type { ReviewCommentMade } from './change-requests.js';
import { type ReviewAsk, type ReviewForge, reviewFixRequests } from './review-fix.js';

const asked = {
  id: 'review-comment:11',
  text: 'rename x',
  path: 'src/a.js',
  line: 4,
  author: 'octo',
  replyTo: 11,
};
const line = (id: number, body: string): ReviewCommentMade => ({
  id,
  body,
  path: 'src/b.js',
  line: 2,
  author: 'octo',
  inReplyTo: null,
});
type Fix = Extract<ReviewAsk, { kind: 'fix' }>;
const fix = (batch: Fix['batch']): Fix => ({
  kind: 'fix',
  pr: 3,
  branch: 'omk/g-1/integration',
  author: 'octo',
  requests: [asked],
  batch,
  why: null,
});

/** A forge that answers from memory and records what it was asked. */
function forgeOf(role: string, comments: ReviewCommentMade[] | Error) {
  const calls: string[] = [];
  const forge: ReviewForge = {
    writeAccess: async (author) => {
      calls.push(`access ${author}`);
      return { allowed: ['write', 'maintain', 'admin'].includes(role), role };
    },
    reviewComments: async (pr, reviewId) => {
      calls.push(`comments ${pr}/${reviewId}`);
      if (comments instanceof Error) throw comments;
      return comments;
    },
  };
  return { forge, calls };
}

const warnings: string[] = [];
const reporter = { info: () => {}, warn: (message: string) => warnings.push(message) };

describe('reviewFixRequests: what a review event lets a fix run', () => {
  it('runs nothing for a skipped event, and asks the forge nothing', async () => {
    const { forge, calls } = forgeOf('admin', []);
    const skip: ReviewAsk = { kind: 'skip', pr: 3, branch: 'omk/g-1/integration', why: 'octo-bot is a bot' };
    expect(await reviewFixRequests(skip, forge, reporter)).toEqual({
      kind: 'nothing',
      why: 'octo-bot is a bot',
    });
    expect(calls).toEqual([]);
  });

  it('refuses an author who may not write, before reading the review', async () => {
    const { forge, calls } = forgeOf('triage', [line(12, 'and y')]);
    expect(await reviewFixRequests(fix({ reviewId: 9, review: null }), forge, reporter)).toEqual({
      kind: 'no_write',
      author: 'octo',
      role: 'triage',
    });
    expect(calls).toEqual(['access octo']);
  });

  it("joins the review's line comments to what the event asked, each once", async () => {
    const { forge, calls } = forgeOf('write', [
      line(12, 'and y'),
      { ...line(11, 'rename x'), path: 'src/a.js' },
    ]);
    const read = await reviewFixRequests(fix({ reviewId: 9, review: null }), forge, reporter);
    expect(read.kind === 'requests' && read.requests.map((request) => request.id)).toEqual([
      'review-comment:11',
      'review-comment:12',
    ]);
    expect(calls).toEqual(['access octo', 'comments 3/9']);
  });

  it("runs the event's own request alone, with a warning, when the comments cannot be read", async () => {
    warnings.length = 0;
    const { forge } = forgeOf('maintain', new Error('HTTP 502'));
    const read = await reviewFixRequests(fix({ reviewId: 9, review: null }), forge, reporter);
    expect(read).toEqual({ kind: 'requests', requests: [asked] });
    expect(warnings).toEqual([
      "fix: the line comments of review 9 were not read, so only this event's request(s) run: HTTP 502",
    ]);
  });

  it('runs nothing, saying why, when neither the event nor the review asks for a change', async () => {
    const { forge } = forgeOf('write', [{ ...line(40, 'agreed'), inReplyTo: 12 }]);
    const review = { id: 9, state: 'approved', body: 'lgtm', author: 'octo' };
    const ask: ReviewAsk = { ...fix({ reviewId: 9, review }), requests: [] };
    expect(await reviewFixRequests(ask, forge, reporter)).toEqual({
      kind: 'nothing',
      why: 'the review approved, it does not request changes, and none of its 1 line comment(s) asks for a change',
    });
    const unbatched: ReviewAsk = { ...fix(null), requests: [], why: null };
    expect(await reviewFixRequests(unbatched, forge, reporter)).toEqual({
      kind: 'nothing',
      why: 'the review asks for nothing',
    });
  });
});
