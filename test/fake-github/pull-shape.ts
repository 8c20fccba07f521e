import type { Ctx } from './http.js';
import { protectionBlock } from './protection.js';
import { nodeId, type RepoFacts, repoApi, repoHtml, repository, simpleUser } from './shapes.js';
import { type FakePull, timestamp } from './state.js';

/** What GitHub computes about a pull request from git at read time. */
export interface PullView {
  headSha: string;
  baseSha: string;
  mergeable: boolean | null;
  mergeableState: 'clean' | 'dirty' | 'blocked' | 'draft' | 'unknown';
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** Re-reads an open PR's head and base SHAs from the bare repo (closed PRs keep theirs). */
export async function refreshShas(ctx: Ctx, pull: FakePull): Promise<void> {
  if (pull.state !== 'open') return;
  pull.headSha = (await ctx.git.branchSha(pull.head)) ?? pull.headSha;
  pull.baseSha = (await ctx.git.branchSha(pull.base)) ?? pull.baseSha;
}

export async function viewPull(ctx: Ctx, pull: FakePull, login: string): Promise<PullView> {
  await refreshShas(ctx, pull);
  const { headSha, baseSha } = pull;
  const stat = await ctx.git.diffStat(baseSha, headSha);
  const view: PullView = {
    headSha,
    baseSha,
    mergeable: null,
    mergeableState: 'unknown',
    commits: await ctx.git.commitCount(baseSha, headSha),
    additions: stat.additions,
    deletions: stat.deletions,
    changedFiles: stat.files,
  };
  if (pull.state !== 'open') return view;
  if (ctx.state.mergeableUnknownReads > 0) {
    ctx.state.mergeableUnknownReads -= 1;
    return view;
  }
  if ((await ctx.git.mergeTree(baseSha, headSha)) === null)
    return { ...view, mergeable: false, mergeableState: 'dirty' };
  if (pull.draft) return { ...view, mergeable: true, mergeableState: 'draft' };
  const blocked = await protectionBlock(ctx, pull, headSha, baseSha, login);
  return { ...view, mergeable: true, mergeableState: blocked ? 'blocked' : 'clean' };
}

export function association(ctx: Ctx, login: string): string {
  if (login === ctx.site.owner) return 'OWNER';
  const permission = ctx.permissionOf(login);
  return ['admin', 'maintain', 'write'].includes(permission) ? 'COLLABORATOR' : 'NONE';
}

export function labelJson(ctx: Ctx, name: string) {
  const label = ctx.state.labels.get(name);
  const id = label?.id ?? 0;
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${repoApi(ctx.site)}/labels/${encodeURIComponent(name)}`,
    name,
    description: '',
    color: label?.color ?? 'ededed',
    default: false,
  };
}

export async function repoFacts(ctx: Ctx, login: string): Promise<RepoFacts> {
  const open = [...ctx.state.pulls.values()].filter((p) => p.state === 'open').length;
  return {
    defaultBranch: await ctx.git.defaultBranch(),
    openIssues: open + ctx.state.issues.size,
    pushedAt: timestamp(),
    permission: ctx.permissionOf(login),
    mergeMethods: ctx.state.mergeMethods,
  };
}

function branchJson(ctx: Ctx, ref: string, sha: string, repo: ReturnType<typeof repository>) {
  return { label: `${ctx.site.owner}:${ref}`, ref, sha, user: simpleUser(ctx.site, ctx.site.owner), repo };
}

/** A pull request's `node_id`, as GraphQL takes it (`markPullRequestReadyForReview`). */
export function pullNodeId(number: number): string {
  return nodeId('PR', 500_000 + number);
}

/** `pull-request-simple` (list) or, with `view` stats, `pull-request` (get/create/update). */
export async function pullJson(ctx: Ctx, pull: FakePull, view: PullView, login: string, full: boolean) {
  const api = repoApi(ctx.site);
  const html = `${repoHtml(ctx.site)}/pull/${pull.number}`;
  const n = pull.number;
  const repo = repository(ctx.site, await repoFacts(ctx, login));
  const id = 500_000 + n;
  const simple = {
    url: `${api}/pulls/${n}`,
    id,
    node_id: pullNodeId(n),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${n}`,
    commits_url: `${api}/pulls/${n}/commits`,
    review_comments_url: `${api}/pulls/${n}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${n}/comments`,
    statuses_url: `${api}/statuses/${view.headSha}`,
    number: n,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(ctx.site, pull.author),
    body: pull.body === '' ? null : pull.body,
    labels: pull.labels.map((name) => labelJson(ctx, name)),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchJson(ctx, pull.head, view.headSha, repo),
    base: branchJson(ctx, pull.base, view.baseSha, repo),
    _links: {
      self: { href: `${api}/pulls/${n}` },
      html: { href: html },
      issue: { href: `${api}/issues/${n}` },
      comments: { href: `${api}/issues/${n}/comments` },
      review_comments: { href: `${api}/pulls/${n}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${n}/commits` },
      statuses: { href: `${api}/statuses/${view.headSha}` },
    },
    author_association: association(ctx, pull.author),
    auto_merge: null,
    draft: pull.draft,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: pull.merged,
    mergeable: view.mergeable,
    rebaseable: view.mergeable,
    mergeable_state: view.mergeableState,
    merged_by: pull.mergedBy ? simpleUser(ctx.site, pull.mergedBy) : null,
    comments: ctx.state.comments.filter((c) => c.issueNumber === n).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: view.commits,
    additions: view.additions,
    deletions: view.deletions,
    changed_files: view.changedFiles,
  };
}
