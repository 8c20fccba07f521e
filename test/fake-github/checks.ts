import { type Ctx, Fields, type Handler, json, message, notFound, paginate } from './http.js';
import { appJson, type FakeApp, nodeId, repoApi, repoHtml } from './shapes.js';
import { type FakeAnnotation, type FakeCheckRun, timestamp } from './state.js';

const DOCS_CREATE = 'https://docs.github.com/rest/checks/runs#create-a-check-run';
const DOCS_UPDATE = 'https://docs.github.com/rest/checks/runs#update-a-check-run';

const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'] as const;

function pullsFor(ctx: Ctx, sha: string) {
  const repo = { id: 1, url: repoApi(ctx.site), name: ctx.site.repo };
  return [...ctx.state.pulls.values()]
    .filter((p) => p.state === 'open' && p.headSha === sha)
    .map((p) => ({
      id: 500_000 + p.number,
      number: p.number,
      url: `${repoApi(ctx.site)}/pulls/${p.number}`,
      head: { ref: p.head, sha: p.headSha, repo },
      base: { ref: p.base, sha: p.baseSha, repo },
    }));
}

export function checkRunJson(ctx: Ctx, run: FakeCheckRun) {
  const url = `${repoApi(ctx.site)}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: nodeId('CR', run.id),
    head_sha: run.headSha,
    external_id: run.externalId,
    url,
    html_url: `${repoHtml(ctx.site)}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: run.text,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: 9_000 },
    app: appJson(ctx.site, run.app),
    pull_requests: pullsFor(ctx, run.headSha),
  };
}

function annotationsOf(output: Fields): FakeAnnotation[] {
  return output.list('annotations').map((raw) => {
    const a = new Fields(raw);
    return {
      path: a.str('path') ?? '',
      start_line: a.num('start_line') ?? 0,
      end_line: a.num('end_line') ?? 0,
      annotation_level: a.str('annotation_level') ?? 'notice',
      message: a.str('message') ?? '',
      ...(a.str('title') === undefined ? {} : { title: a.str('title') }),
    };
  });
}

/** Applies a create/update body to a run: `conclusion` implies `completed`, annotations append. */
function apply(run: FakeCheckRun, body: Fields): void {
  const status = STATUSES.find((s) => s === body.str('status'));
  run.name = body.str('name') ?? run.name;
  run.externalId = body.str('external_id') ?? run.externalId;
  run.detailsUrl = body.str('details_url') ?? run.detailsUrl;
  run.startedAt = body.str('started_at') ?? run.startedAt;
  if (status) run.status = status;
  const conclusion = body.str('conclusion');
  if (conclusion !== undefined) {
    run.conclusion = conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed')
    run.completedAt = body.str('completed_at') ?? run.completedAt ?? timestamp();
  if (body.has('output')) {
    const output = body.obj('output');
    run.title = output.str('title') ?? run.title;
    run.summary = output.str('summary') ?? run.summary;
    run.text = output.str('text') ?? run.text;
    run.annotations.push(...annotationsOf(output));
  }
}

/** Adds a check run directly (test set-up) or from the API. */
export function addCheckRun(
  ctx: Ctx,
  headSha: string,
  body: Fields,
  app: FakeApp = ctx.state.app,
): FakeCheckRun {
  const run: FakeCheckRun = {
    id: ctx.ids.id(),
    name: '',
    headSha,
    status: 'queued',
    conclusion: null,
    externalId: '',
    detailsUrl: null,
    title: null,
    summary: null,
    text: null,
    annotations: [],
    app,
    startedAt: timestamp(),
    completedAt: null,
  };
  apply(run, body);
  ctx.state.checkRuns.push(run);
  return run;
}

const create: Handler = async (req, ctx) => {
  const sha = req.body.str('head_sha') ?? '';
  if (!(await ctx.git.commitExists(sha))) return message(422, `No commit found for SHA: ${sha}`, DOCS_CREATE);
  if (req.body.str('status') === 'completed' && !req.body.has('conclusion')) {
    return message(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.', DOCS_CREATE);
  }
  return json(201, checkRunJson(ctx, addCheckRun(ctx, sha, req.body)));
};

const update: Handler = async (req, ctx) => {
  const id = req.params.num('check_run_id');
  const run = ctx.state.checkRuns.find((r) => r.id === id);
  if (!run) return notFound(DOCS_UPDATE);
  apply(run, req.body);
  return json(200, checkRunJson(ctx, run));
};

const listForRef: Handler = async (req, ctx) => {
  const sha = await ctx.git.resolveCommitish(req.params.str('ref') ?? '');
  if (sha === null) return message(422, `No commit found for SHA: ${req.params.str('ref')}`);
  const name = req.params.str('check_name');
  const status = req.params.str('status');
  let runs = ctx.state.checkRuns.filter(
    (r) =>
      r.headSha === sha &&
      (name === undefined || r.name === name) &&
      (status === undefined || r.status === status),
  );
  if ((req.params.str('filter') ?? 'latest') === 'latest') {
    // Latest per check suite, and each app has its own suite: per name and app.
    runs = runs.filter(
      (r) => !runs.some((other) => other.name === r.name && other.app.id === r.app.id && other.id > r.id),
    );
  }
  runs = [...runs].reverse();
  const page = paginate(req, runs);
  return json(
    200,
    { total_count: runs.length, check_runs: page.items.map((r) => checkRunJson(ctx, r)) },
    page.headers,
  );
};

export const checkRoutes: Record<string, Handler> = {
  'POST /repos/{owner}/{repo}/check-runs': create,
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': update,
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': listForRef,
};
