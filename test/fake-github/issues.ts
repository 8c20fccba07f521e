import { type Ctx, Fields, type Handler, json, notFound, paginate } from './http.js';
import { association, labelJson } from './pull-shape.js';
import { nodeId, repoApi, repoHtml, simpleUser } from './shapes.js';
import { type FakeComment, timestamp } from './state.js';

const DOCS_LABELS = 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue';
const DOCS_COMMENTS = 'https://docs.github.com/rest/issues/comments';
const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;

/** The labels of issue or pull request `n` (they share numbers), or undefined when none exists. */
function labelsOf(ctx: Ctx, n: number | undefined): string[] | undefined {
  if (n === undefined) return undefined;
  return ctx.state.pulls.get(n)?.labels ?? ctx.state.issues.get(n)?.labels;
}

const addLabels: Handler = async (req, ctx) => {
  const labels = labelsOf(ctx, req.params.num('issue_number'));
  if (!labels) return notFound(DOCS_LABELS);
  for (const raw of req.body.list('labels')) {
    const name = typeof raw === 'string' ? raw : new Fields(raw).str('name');
    if (name === undefined) continue;
    if (!ctx.state.labels.has(name)) ctx.state.labels.set(name, { id: ctx.ids.id(), name, color: 'ededed' });
    if (!labels.includes(name)) labels.push(name);
  }
  return json(
    200,
    labels.map((name) => labelJson(ctx, name)),
  );
};

const removeLabel: Handler = async (req, ctx) => {
  const labels = labelsOf(ctx, req.params.num('issue_number'));
  const name = req.params.str('name');
  const at = labels && name !== undefined ? labels.indexOf(name) : -1;
  if (!labels || at < 0) return notFound(DOCS_LABELS);
  labels.splice(at, 1);
  return json(
    200,
    labels.map((label) => labelJson(ctx, label)),
  );
};

function reactionRollup(ctx: Ctx, commentId: number) {
  const mine = ctx.state.reactions.filter((r) => r.commentId === commentId);
  const counts = Object.fromEntries(REACTIONS.map((c) => [c, mine.filter((r) => r.content === c).length]));
  return {
    url: `${repoApi(ctx.site)}/issues/comments/${commentId}/reactions`,
    total_count: mine.length,
    ...counts,
  };
}

export function commentJson(ctx: Ctx, comment: FakeComment) {
  const kind = ctx.state.pulls.has(comment.issueNumber) ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${repoApi(ctx.site)}/issues/comments/${comment.id}`,
    html_url: `${repoHtml(ctx.site)}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(ctx.site, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoApi(ctx.site)}/issues/${comment.issueNumber}`,
    author_association: association(ctx, comment.user),
    reactions: reactionRollup(ctx, comment.id),
  };
}

const createComment: Handler = async (req, ctx) => {
  const n = req.params.num('issue_number');
  if (n === undefined || !labelsOf(ctx, n)) return notFound(DOCS_COMMENTS);
  const now = timestamp();
  const comment: FakeComment = {
    id: ctx.ids.id(),
    issueNumber: n,
    user: req.login,
    body: req.body.str('body') ?? '',
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.comments.push(comment);
  return json(201, commentJson(ctx, comment), { location: commentJson(ctx, comment).url });
};

const listComments: Handler = async (req, ctx) => {
  const n = req.params.num('issue_number');
  if (n === undefined || !labelsOf(ctx, n)) return notFound(DOCS_COMMENTS);
  const since = req.params.str('since');
  const comments = ctx.state.comments.filter(
    (c) => c.issueNumber === n && (since === undefined || c.updatedAt >= since),
  );
  const page = paginate(req, comments);
  return json(
    200,
    page.items.map((c) => commentJson(ctx, c)),
    page.headers,
  );
};

const updateComment: Handler = async (req, ctx) => {
  const comment = ctx.state.comments.find((c) => c.id === req.params.num('comment_id'));
  if (!comment) return notFound(DOCS_COMMENTS);
  comment.body = req.body.str('body') ?? comment.body;
  comment.updatedAt = timestamp();
  return json(200, commentJson(ctx, comment));
};

/** 201 for a new reaction; 200 with the existing one when this user already reacted so. */
const createReaction: Handler = async (req, ctx) => {
  const commentId = req.params.num('comment_id');
  if (!ctx.state.comments.some((c) => c.id === commentId) || commentId === undefined) return notFound();
  const content = req.body.str('content') ?? '';
  let reaction = ctx.state.reactions.find(
    (r) => r.commentId === commentId && r.user === req.login && r.content === content,
  );
  const existed = reaction !== undefined;
  if (!reaction) {
    reaction = { id: ctx.ids.id(), commentId, user: req.login, content, createdAt: timestamp() };
    ctx.state.reactions.push(reaction);
  }
  return json(existed ? 200 : 201, {
    id: reaction.id,
    node_id: nodeId('REA', reaction.id),
    user: simpleUser(ctx.site, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  });
};

export const issueRoutes: Record<string, Handler> = {
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': addLabels,
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}': removeLabel,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': createComment,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': listComments,
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': updateComment,
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': createReaction,
};
