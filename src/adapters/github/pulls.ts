import type { Octokit } from '@octokit/rest';
import type { PullRequest, PullRequestSpec, RepoCoordinates } from '../../runtime/forge/port.js';
import { type GitHubApiError, hasStatus } from './errors.js';

/**
 * GitHub answers a second PR for the same head and base with 422 and this `errors[].message`
 * (code `custom`, no machine-readable code exists: google/go-github#1441). The only English string
 * this adapter matches; a test pins it.
 */
export const PR_ALREADY_EXISTS_PREFIX = 'A pull request already exists for';

export interface Ctx {
  octokit: Octokit;
  repo: RepoCoordinates;
}

/** The fields we read from both the full and the list ("simple") pull request shapes. */
export interface PullPayload {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  draft?: boolean;
  state: string;
  merged_at?: string | null;
  merged?: boolean;
  /** Only on the full shape: the merge commit once merged. */
  merge_commit_sha?: string | null;
  labels?: ReadonlyArray<{ name?: string } | string>;
  /** Only on the full shape; null while GitHub computes it. */
  mergeable?: boolean | null;
}

export function toPullRequest(data: PullPayload): PullRequest {
  const merged = data.merged === true || Boolean(data.merged_at);
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? '',
    head: data.head.ref,
    headSha: data.head.sha,
    base: data.base.ref,
    baseSha: data.base.sha,
    draft: data.draft ?? false,
    state: merged ? 'merged' : data.state === 'open' ? 'open' : 'closed',
    labels: (data.labels ?? [])
      .map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
      .filter((name) => name !== ''),
    mergeable: data.mergeable ?? null,
    ...(merged ? { mergeSha: data.merge_commit_sha ?? null } : {}),
  };
}

/** Open PR for `head` (same repository), optionally into `base`. One call, first result only. */
export async function findOpenPull(ctx: Ctx, head: string, base?: string): Promise<PullRequest | null> {
  const { data } = await ctx.octokit.rest.pulls.list({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    head: `${ctx.repo.owner}:${head}`,
    ...(base === undefined ? {} : { base }),
    state: 'open',
    per_page: 1,
  });
  const first = data[0];
  return first ? toPullRequest(first) : null;
}

export function isAlreadyExists(error: unknown): error is GitHubApiError {
  return (
    hasStatus(error, 422) &&
    error.errors.some((e) => e.code === 'custom' && (e.message ?? '').startsWith(PR_ALREADY_EXISTS_PREFIX))
  );
}

/**
 * One call normally. When the PR already exists (a retry after a crash, a redelivered webhook),
 * finds it and brings title and body up to date: three calls, never a second PR. Labels are
 * added separately (addLabels); `draft` of an existing PR is left alone (REST cannot change it).
 */
export async function createPull(ctx: Ctx, spec: PullRequestSpec): Promise<PullRequest> {
  try {
    const { data } = await ctx.octokit.rest.pulls.create({
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      title: spec.title,
      body: spec.body,
      head: spec.head,
      base: spec.base,
      draft: spec.draft,
    });
    return toPullRequest(data);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const existing = await findOpenPull(ctx, spec.head, spec.base);
    if (!existing) throw error;
    return {
      ...(await updatePull(ctx, existing.number, { title: spec.title, body: spec.body })),
      reused: true,
    };
  }
}

export async function updatePull(
  ctx: Ctx,
  number: number,
  change: { title?: string; body?: string; base?: string },
): Promise<PullRequest> {
  const { data } = await ctx.octokit.rest.pulls.update({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    pull_number: number,
    ...(change.title === undefined ? {} : { title: change.title }),
    ...(change.body === undefined ? {} : { body: change.body }),
    ...(change.base === undefined ? {} : { base: change.base }),
  });
  return toPullRequest(data);
}

export async function getPull(ctx: Ctx, number: number): Promise<PullRequest> {
  const { data } = await ctx.octokit.rest.pulls.get({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    pull_number: number,
  });
  return toPullRequest(data);
}

/** One call (none for no labels). GitHub creates labels that do not exist yet, so errors are real. */
/** DELETE one label; 404 means the PR did not have it, which is the goal anyway. */
export async function removeLabel(ctx: Ctx, number: number, label: string): Promise<void> {
  try {
    await ctx.octokit.rest.issues.removeLabel({
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      issue_number: number,
      name: label,
    });
  } catch (error) {
    if (hasStatus(error, 404)) return;
    throw error;
  }
}

export async function addLabels(ctx: Ctx, number: number, labels: readonly string[]): Promise<void> {
  if (labels.length === 0) return;
  await ctx.octokit.rest.issues.addLabels({
    owner: ctx.repo.owner,
    repo: ctx.repo.name,
    issue_number: number,
    labels: [...labels],
  });
}
