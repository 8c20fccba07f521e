import { type Ctx, type Handler, json, notFound, paginate } from './http.js';
import { association, refreshShas } from './pull-shape.js';
import { findPull } from './pulls.js';
import { nodeId, repoApi, repoHtml, simpleUser } from './shapes.js';
import { type FakePull, type FakeReviewComment, timestamp } from './state.js';

const DOCS = 'https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment';
const REVIEW_DOCS = 'https://docs.github.com/rest/pulls/reviews#list-comments-for-a-pull-request-review';

export function reviewCommentJson(ctx: Ctx, comment: FakeReviewComment) {
  const api = `${repoApi(ctx.site)}/pulls/comments/${comment.id}`;
  const html = `${repoHtml(ctx.site)}/pull/${comment.pullNumber}#discussion_r${comment.id}`;
  const pullUrl = `${repoApi(ctx.site)}/pulls/${comment.pullNumber}`;
  return {
    url: api,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: nodeId('PRRC', comment.id),
    diff_hunk: '@@ -1 +1 @@',
    path: comment.path,
    position: 1,
    original_position: 1,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyTo === null ? {} : { in_reply_to_id: comment.inReplyTo }),
    user: simpleUser(ctx.site, comment.user),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: association(ctx, comment.user),
    _links: { self: { href: api }, html: { href: html }, pull_request: { href: pullUrl } },
    line: comment.line,
    side: 'RIGHT',
    subject_type: 'line',
  };
}

/** A review comment on a line of the PR's head (used by the API's replies and by test helpers). */
export async function addReviewComment(
  ctx: Ctx,
  pull: FakePull,
  seed: { user: string; path: string; line: number; body: string; inReplyTo?: number; reviewId?: number },
): Promise<FakeReviewComment> {
  await refreshShas(ctx, pull);
  const comment: FakeReviewComment = {
    id: ctx.ids.id(),
    pullNumber: pull.number,
    // A comment made alone is a review of its own (GitHub makes one for it).
    reviewId: seed.reviewId ?? ctx.ids.id(),
    user: seed.user,
    path: seed.path,
    line: seed.line,
    body: seed.body,
    commitId: pull.headSha,
    inReplyTo: seed.inReplyTo ?? null,
    createdAt: timestamp(),
  };
  ctx.state.reviewComments.push(comment);
  return comment;
}

/** A reply joins the thread of the comment it answers (a reply to a reply answers the thread's first). */
const createReply: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  const target = ctx.state.reviewComments.find((c) => c.id === req.params.num('comment_id'));
  if (!pull || !target || target.pullNumber !== pull.number) return notFound(DOCS);
  const reply = await addReviewComment(ctx, pull, {
    user: req.login,
    path: target.path,
    line: target.line,
    body: req.body.str('body') ?? '',
    inReplyTo: target.inReplyTo ?? target.id,
  });
  return json(201, reviewCommentJson(ctx, reply));
};

/** The comments a review left, oldest first; a review GitHub does not know on this PR is a 404. */
const listForReview: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  const reviewId = req.params.num('review_id');
  if (!pull || reviewId === undefined) return notFound(REVIEW_DOCS);
  const comments = ctx.state.reviewComments.filter(
    (c) => c.pullNumber === pull.number && c.reviewId === reviewId,
  );
  const known = ctx.state.reviews.some((r) => r.id === reviewId && r.pullNumber === pull.number);
  if (!known && comments.length === 0) return notFound(REVIEW_DOCS);
  const page = paginate(req, comments);
  return json(
    200,
    page.items.map((c) => reviewCommentJson(ctx, c)),
    page.headers,
  );
};

export const reviewCommentRoutes: Record<string, Handler> = {
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments': listForReview,
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies': createReply,
};
