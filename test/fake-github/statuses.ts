import { type Ctx, type Handler, json, message, notFound, paginate } from './http.js';
import { minimalRepository, nodeId, repoApi, simpleUser } from './shapes.js';
import { type FakeStatus, type StatusState, timestamp } from './state.js';

const DOCS_CREATE = 'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
const DOCS_COMBINED =
  'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference';
const STATES: readonly StatusState[] = ['error', 'failure', 'pending', 'success'];

export function addStatus(
  ctx: Ctx,
  sha: string,
  context: string,
  state: StatusState,
  creator: string,
  extra: { description?: string | null; targetUrl?: string | null } = {},
): FakeStatus {
  const status: FakeStatus = {
    id: ctx.ids.id(),
    sha,
    context,
    state,
    description: extra.description ?? null,
    targetUrl: extra.targetUrl ?? null,
    creator,
    createdAt: timestamp(),
  };
  ctx.state.statuses.push(status);
  return status;
}

function simpleStatusJson(ctx: Ctx, status: FakeStatus) {
  return {
    url: `${repoApi(ctx.site)}/statuses/${status.sha}`,
    avatar_url: simpleUser(ctx.site, status.creator).avatar_url,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
  };
}

const create: Handler = async (req, ctx) => {
  const sha = req.params.str('sha') ?? '';
  if (!(await ctx.git.commitExists(sha))) return message(422, `No commit found for SHA: ${sha}`, DOCS_CREATE);
  const state = STATES.find((s) => s === req.body.str('state')) ?? 'pending';
  const status = addStatus(ctx, sha, req.body.str('context') ?? 'default', state, req.login, {
    description: req.body.str('description') ?? null,
    targetUrl: req.body.str('target_url') ?? null,
  });
  return json(201, { ...simpleStatusJson(ctx, status), creator: simpleUser(ctx.site, req.login) });
};

/** Latest status per context, newest first, rolled up the way GitHub does. */
const combined: Handler = async (req, ctx) => {
  const ref = req.params.str('ref') ?? '';
  const sha = await ctx.git.resolveCommitish(ref);
  if (sha === null) return notFound(DOCS_COMBINED);
  const latest = new Map<string, FakeStatus>();
  for (const status of ctx.state.statuses) if (status.sha === sha) latest.set(status.context, status);
  const statuses = [...latest.values()].reverse();
  const states = statuses.map((s) => s.state);
  let state: 'failure' | 'pending' | 'success' = 'success';
  if (states.includes('error') || states.includes('failure')) state = 'failure';
  else if (states.length === 0 || states.includes('pending')) state = 'pending';
  const page = paginate(req, statuses);
  return json(
    200,
    {
      state,
      statuses: page.items.map((s) => simpleStatusJson(ctx, s)),
      sha,
      total_count: statuses.length,
      repository: minimalRepository(ctx.site),
      commit_url: `${repoApi(ctx.site)}/commits/${sha}`,
      url: `${repoApi(ctx.site)}/commits/${sha}/status`,
    },
    page.headers,
  );
};

export const statusRoutes: Record<string, Handler> = {
  'POST /repos/{owner}/{repo}/statuses/{sha}': create,
  'GET /repos/{owner}/{repo}/commits/{ref}/status': combined,
};
