import {
  type ApiRequest,
  type Ctx,
  type Handler,
  json,
  notFound,
  paginate,
  validationFailed,
} from './http.js';
import { type PullView, pullJson, refreshShas, viewPull } from './pull-shape.js';
import { repoApi } from './shapes.js';
import { type FakePull, timestamp } from './state.js';

const DOCS_CREATE = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
const DOCS_UPDATE = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';
const DOCS_GET = 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request';

export function findPull(ctx: Ctx, req: ApiRequest): FakePull | undefined {
  return ctx.state.pulls.get(req.params.num('pull_number') ?? -1);
}

/** `owner:branch` or `branch`; null for another owner (forks are not modelled). */
function headBranch(ctx: Ctx, head: string): string | null {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === ctx.site.owner.toLowerCase() ? head.slice(colon + 1) : null;
}

async function respondPull(ctx: Ctx, pull: FakePull, login: string, status: number) {
  const view = await viewPull(ctx, pull, login);
  const headers = status === 201 ? { location: `${repoApi(ctx.site)}/pulls/${pull.number}` } : undefined;
  return json(status, await pullJson(ctx, pull, view, login, true), headers);
}

const create: Handler = async (req, ctx) => {
  const { body } = req;
  const head = headBranch(ctx, body.str('head') ?? '');
  const base = body.str('base') ?? '';
  const title = body.str('title');
  if (title === undefined) {
    // `issue` (convert an issue into a PR) is not modelled; GitHub then needs a title.
    return validationFailed(
      [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }],
      DOCS_CREATE,
    );
  }
  const baseSha = await ctx.git.branchSha(base);
  if (baseSha === null) {
    return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], DOCS_CREATE);
  }
  const headSha = head === null ? null : await ctx.git.branchSha(head);
  if (head === null || headSha === null) {
    return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }], DOCS_CREATE);
  }
  // GitHub refuses a second open PR for the same head and base.
  const duplicate = [...ctx.state.pulls.values()].find(
    (p) => p.state === 'open' && p.head === head && p.base === base,
  );
  if (duplicate) {
    const text = `A pull request already exists for ${ctx.site.owner}:${head}.`;
    return validationFailed([{ resource: 'PullRequest', code: 'custom', message: text }], DOCS_CREATE);
  }
  if (await ctx.git.isAncestor(headSha, baseSha)) {
    const text = `No commits between ${base} and ${head}`;
    return validationFailed([{ resource: 'PullRequest', code: 'custom', message: text }], DOCS_CREATE);
  }
  const now = timestamp();
  const pull: FakePull = {
    number: ctx.ids.issueNumber(),
    title,
    body: body.str('body') ?? '',
    head,
    base,
    draft: body.bool('draft') ?? false,
    state: 'open',
    merged: false,
    author: req.login,
    labels: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    headSha,
    baseSha,
  };
  ctx.state.pulls.set(pull.number, pull);
  return respondPull(ctx, pull, req.login, 201);
};

const list: Handler = async (req, ctx) => {
  const { params } = req;
  const state = params.str('state') ?? 'open';
  const headFilter = params.str('head');
  // GitHub silently ignores a `head` filter without the `owner:` prefix.
  const head = headFilter?.includes(':') ? headBranch(ctx, headFilter) : undefined;
  const base = params.str('base');
  const sort = params.str('sort') ?? 'created';
  const direction = params.str('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  let pulls = [...ctx.state.pulls.values()].filter(
    (p) =>
      (state === 'all' || p.state === state) &&
      (head === undefined || p.head === head) &&
      (base === undefined || p.base === base),
  );
  if (head === null) pulls = [];
  const key = sort === 'updated' ? 'updatedAt' : 'createdAt';
  pulls.sort((a, b) => a[key].localeCompare(b[key]) || a.number - b.number);
  if (direction === 'desc') pulls.reverse();
  const page = paginate(req, pulls);
  const items = [];
  for (const pull of page.items) {
    await refreshShas(ctx, pull);
    items.push(await pullJson(ctx, pull, listView(pull), req.login, false));
  }
  return json(200, items, page.headers);
};

function listView(pull: FakePull): PullView {
  const { headSha, baseSha } = pull;
  return {
    headSha,
    baseSha,
    mergeable: null,
    mergeableState: 'unknown',
    commits: 0,
    additions: 0,
    deletions: 0,
    changedFiles: 0,
  };
}

const get: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  return pull ? respondPull(ctx, pull, req.login, 200) : notFound(DOCS_GET);
};

const update: Handler = async (req, ctx) => {
  const pull = findPull(ctx, req);
  if (!pull) return notFound(DOCS_UPDATE);
  const { body } = req;
  const base = body.str('base');
  if (base !== undefined && (await ctx.git.branchSha(base)) === null) {
    return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], DOCS_UPDATE);
  }
  const state = body.str('state');
  if (state === 'open' && pull.state === 'closed') {
    if (pull.merged) {
      const text = 'Cannot reopen a merged pull request';
      return validationFailed([{ resource: 'PullRequest', code: 'custom', message: text }], DOCS_UPDATE);
    }
    const clash = [...ctx.state.pulls.values()].find(
      (p) => p.state === 'open' && p.head === pull.head && p.base === (base ?? pull.base),
    );
    if (clash) {
      const text = `A pull request already exists for ${ctx.site.owner}:${pull.head}.`;
      return validationFailed([{ resource: 'PullRequest', code: 'custom', message: text }], DOCS_UPDATE);
    }
    pull.state = 'open';
    pull.closedAt = null;
  } else if (state === 'closed' && pull.state === 'open') {
    await refreshShas(ctx, pull);
    pull.state = 'closed';
    pull.closedAt = timestamp();
  }
  pull.title = body.str('title') ?? pull.title;
  pull.body = body.str('body') ?? pull.body;
  pull.base = base ?? pull.base;
  pull.updatedAt = timestamp();
  return respondPull(ctx, pull, req.login, 200);
};

export const pullRoutes: Record<string, Handler> = {
  'POST /repos/{owner}/{repo}/pulls': create,
  'GET /repos/{owner}/{repo}/pulls': list,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': get,
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': update,
};
