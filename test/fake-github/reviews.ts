import { type Ctx, type Handler, json, notFound, paginate } from './http.js';
import { association, refreshShas } from './pull-shape.js';
import { findPull } from './pulls.js';
import { nodeId, repoApi, repoHtml, simpleUser } from './shapes.js';
import { type FakePull, type FakeReview, type ReviewState, timestamp } from './state.js';

const DOCS = 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request';

export function reviewJson(ctx: Ctx, review: FakeReview) {
  const html = `${repoHtml(ctx.site)}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
  const pullUrl = `${repoApi(ctx.site)}/pulls/${review.pullNumber}`;
  return {
    id: review.id,
    node_id: nodeId('PRR', review.id),
    user: simpleUser(ctx.site, review.user),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
    author_association: association(ctx, review.user),
  };
}

/** Records a review as `user` on the PR's current head (used by the API and by test helpers). */
export async function addReview(
  ctx: Ctx,
  pull: FakePull,
  user: string,
  state: ReviewState,
  body = '',
  commitId?: string,
): Promise<FakeReview> {
  await refreshShas(ctx, pull);
  const review: FakeReview = {
    id: ctx.ids.id(),
    pullNumber: pull.number,
    user,
    state,
    body,
    commitId: commitId ?? pull.headSha,
    submittedAt: timestamp(),
  };
  ctx.state.reviews.push(review);
  return review;
}

const list: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  if (!pull) return notFound();
  const page = paginate(
    req,
    ctx.state.reviews.filter((r) => r.pullNumber === pull.number),
  );
  return json(
    200,
    page.items.map((r) => reviewJson(ctx, r)),
    page.headers,
  );
};

function unprocessable(text: string) {
  return json(422, {
    message: 'Unprocessable Entity',
    errors: [text],
    documentation_url: DOCS,
    status: '422',
  });
}

const create: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  if (!pull) return notFound(DOCS);
  const event = req.body.str('event');
  const body = req.body.str('body') ?? '';
  const states: Record<string, ReviewState> = {
    APPROVE: 'APPROVED',
    REQUEST_CHANGES: 'CHANGES_REQUESTED',
    COMMENT: 'COMMENTED',
  };
  const state = event === undefined ? 'PENDING' : states[event];
  if (state === undefined) return unprocessable(`Unknown review event ${event}`);
  if (pull.author === req.login && (state === 'APPROVED' || state === 'CHANGES_REQUESTED')) {
    const verb = state === 'APPROVED' ? 'approve' : 'request changes on';
    return unprocessable(`Can not ${verb} your own pull request`);
  }
  if ((state === 'CHANGES_REQUESTED' || state === 'COMMENTED') && body === '') {
    return unprocessable('Review body is required for this event');
  }
  const review = await addReview(ctx, pull, req.login, state, body, req.body.str('commit_id'));
  return json(200, reviewJson(ctx, review));
};

export const reviewRoutes: Record<string, Handler> = {
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': list,
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': create,
};
