import type {
  Annotation,
  CheckRunRef,
  CheckRunSpec,
  CheckState,
  CommitChecks,
} from '../../runtime/forge/port.js';
import type { Ctx } from './pulls.js';

/** GitHub's documented limits for check run output. */
export const SUMMARY_LIMIT = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
const ANNOTATION_TITLE_LIMIT = 255;
const ANNOTATION_MESSAGE_LIMIT = 64 * 1024;

/** Cuts `text` to at most `limit` UTF-16 units, ending with a visible marker, never splitting a surrogate pair. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = `\n\n… truncated by omk (${text.length} characters in full)`;
  let end = Math.max(0, limit - marker.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}

interface AnnotationPayload {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: Annotation['level'];
  title: string;
  message: string;
}

function toAnnotation(a: Annotation): AnnotationPayload {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: Math.max(a.endLine, a.startLine),
    annotation_level: a.level,
    title: truncate(a.title, ANNOTATION_TITLE_LIMIT),
    message: truncate(a.message, ANNOTATION_MESSAGE_LIMIT),
  };
}

/**
 * Creates the check run (`id` null) or updates the known one: one call for up to 50 annotations,
 * then one more per further 50 (GitHub appends annotations sent on update, so each batch goes
 * once). The caller passes an id only for a run on the same head SHA: an update cannot move a run.
 */
export async function upsertCheckRun(ctx: Ctx, spec: CheckRunSpec, id: number | null): Promise<CheckRunRef> {
  const annotations = spec.annotations.map(toAnnotation);
  const batches: AnnotationPayload[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const title = truncate(spec.title, ANNOTATION_TITLE_LIMIT);
  const output = (batch: AnnotationPayload[] | undefined) => ({
    title,
    summary: truncate(spec.summary, SUMMARY_LIMIT),
    ...(batch ? { annotations: batch } : {}),
  });
  const common = {
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    name: spec.name,
    external_id: spec.externalId,
    status: 'completed' as const,
    conclusion: spec.conclusion,
  };
  const [first, ...rest] = batches;
  const { data } =
    id === null
      ? await ctx.octokit.rest.checks.create({ ...common, head_sha: spec.headSha, output: output(first) })
      : await ctx.octokit.rest.checks.update({ ...common, check_run_id: id, output: output(first) });
  for (const batch of rest) {
    await ctx.octokit.rest.checks.update({
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      check_run_id: data.id,
      output: output(batch),
    });
  }
  return { id: data.id, url: data.html_url ?? data.url };
}

type State = CheckState['state'];

const RUN_CONCLUSIONS: Readonly<Record<string, State>> = {
  success: 'success',
  neutral: 'neutral',
  skipped: 'skipped',
  failure: 'failure',
  timed_out: 'failure',
  cancelled: 'failure',
  action_required: 'failure',
  startup_failure: 'failure',
  stale: 'failure',
};

/** Anything not completed is pending; an unknown conclusion counts as failure, never success. */
export function checkRunState(status: string, conclusion: string | null | undefined): State {
  if (status !== 'completed') return 'pending';
  if (!conclusion) return 'pending';
  return RUN_CONCLUSIONS[conclusion] ?? 'failure';
}

export function statusState(state: string): State {
  if (state === 'success') return 'success';
  if (state === 'pending') return 'pending';
  return 'failure';
}

interface Entry {
  check: CheckState;
  /** Recency: check runs by id (monotonic), statuses by update time, across kinds by time. */
  at: number;
  id: number;
}

function newer(a: Entry, b: Entry): boolean {
  if (a.check.source === b.check.source && a.check.source === 'check_run') return a.id > b.id;
  return a.at !== b.at ? a.at > b.at : a.id > b.id;
}

const time = (value: string | null | undefined) => (value ? Date.parse(value) || 0 : 0);

/** One call: the check runs named `name` on `sha`, matched by external id. */
export async function findCheckRun(
  ctx: Ctx,
  sha: string,
  name: string,
  externalId: string,
): Promise<CheckRunRef | null> {
  const { data } = await ctx.octokit.rest.checks.listForRef({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    ref: sha,
    check_name: name,
    per_page: 100,
  });
  const run = data.check_runs.filter((r) => r.external_id === externalId).sort((a, b) => b.id - a.id)[0];
  return run ? { id: run.id, url: run.html_url ?? run.url } : null;
}

/**
 * Check runs (paginated, usually one call) and the combined status (one call), normalized; when a
 * name appears more than once (a re-run, a check run and a status of the same name), the most
 * recent wins.
 */
export async function listChecks(ctx: Ctx, sha: string): Promise<CommitChecks> {
  const where = { owner: ctx.repo.owner, repo: ctx.repo.name, ref: sha };
  const runs = await ctx.octokit.paginate(ctx.octokit.rest.checks.listForRef, { ...where, per_page: 100 });
  const { data: combined } = await ctx.octokit.rest.repos.getCombinedStatusForRef({
    ...where,
    per_page: 100,
  });
  const entries: Entry[] = [
    ...runs.map((run) => ({
      check: {
        name: run.name,
        state: checkRunState(run.status, run.conclusion),
        source: 'check_run' as const,
      },
      at: time(run.completed_at ?? run.started_at),
      id: run.id,
    })),
    ...combined.statuses.map((status) => ({
      check: { name: status.context, state: statusState(status.state), source: 'status' as const },
      at: time(status.updated_at ?? status.created_at),
      id: status.id,
    })),
  ];
  const byName = new Map<string, Entry>();
  for (const entry of entries) {
    const seen = byName.get(entry.check.name);
    if (!seen || newer(entry, seen)) byName.set(entry.check.name, entry);
  }
  return {
    states: [...byName.values()].map((entry) => entry.check),
    // The same listing, as records: the newest run of each name from each app (GitHub's default
    // `filter: latest` is per check suite, and each app has its own), which is what judging
    // omk/proof needs; no second call for it.
    runs: runs
      .filter((run) => run.head_sha === sha)
      .map((run) => ({
        id: run.id,
        name: run.name,
        appId: run.app?.id ?? null,
        appSlug: run.app?.slug ?? null,
        status: run.status,
        conclusion: run.conclusion ?? null,
        title: run.output?.title ?? '',
        summary: run.output?.summary ?? '',
      }))
      .sort((a, b) => b.id - a.id),
  };
}
