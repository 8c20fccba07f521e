import type { Octokit } from '@octokit/rest';
import { ForgeError } from '../../runtime/errors.js';
import type { Forge, RepoCoordinates } from '../../runtime/forge/port.js';
import { type PushRef, pushRef } from '../git/push-ref.js';
import { findCheckRun, listChecks, upsertCheckRun } from './checks.js';
import { branchProtection, mergePull, reviewSummary } from './merge.js';
import { addLabels, type Ctx, createPull, findOpenPull, getPull, removeLabel, updatePull } from './pulls.js';
import { pushBranch } from './push.js';
import { markPullReady } from './ready-for-review.js';
import { octokitReviewReplies } from './review-replies.js';

export interface GitHubForgeOptions {
  /** From createOctokit (retry, throttling, secret-free errors). */
  octokit: Octokit;
  repo: RepoCoordinates;
  /** Used only for the push header (unless `ci` is given); never stored on the returned object. */
  token: string;
  /** Web root for git, e.g. `https://github.com` (GITHUB_SERVER_URL). */
  serverUrl: string;
  /** Replaces the git push (tests record what would be pushed). */
  pushRef?: PushRef;
  /** Push here instead of `<serverUrl>/<owner>/<name>.git` (tests: a local bare repository). */
  remoteUrl?: string;
  /** The proxy git pushes through (proxyFor the push URL), or none. */
  proxy?: string | null;
  /** The GitHub App `token` creates check runs as; default GitHub Actions (a workflow's token). */
  checkAppId?: number;
  /**
   * A token whose pushes and pull requests start workflows (a GitHub App's or a PAT; a workflow's
   * own GITHUB_TOKEN starts none): used for pushes and for opening and updating PRs. Check runs,
   * labels, reads and the merge stay with `token`.
   */
  ci?: { token: string; octokit: Octokit };
}

/** The app id of GitHub Actions: check runs made with a workflow's `GITHUB_TOKEN` carry it. */
export const GITHUB_ACTIONS_APP_ID = 15368;

/**
 * The GitHub forge. Every method is one API call in the normal path (checks: two, check runs and
 * statuses), so a delivery's request count is predictable and benchmarkable.
 */
export function createGitHubForge(options: GitHubForgeOptions): Forge {
  const serverUrl = checkServerUrl(options.serverUrl);
  const repo: RepoCoordinates = { owner: options.repo.owner, name: options.repo.name };
  const ctx: Ctx = { octokit: options.octokit, repo };
  const ciCtx: Ctx = options.ci ? { octokit: options.ci.octokit, repo } : ctx;
  const token = options.ci?.token ?? options.token;
  const push = options.pushRef ?? pushRef;
  const remoteUrl = options.remoteUrl;
  return {
    kind: 'github',
    repo,
    push: (spec) =>
      pushBranch({ repo, token, serverUrl, remoteUrl, pushRef: push, proxy: options.proxy ?? null }, spec),
    findPullRequest: (head) => findOpenPull(ctx, head),
    createPullRequest: (spec) => createPull(ciCtx, spec),
    updatePullRequest: (number, change) => updatePull(ciCtx, number, change),
    getPullRequest: (number) => getPull(ctx, number),
    // Like opening a PR: with the CI token, so the `ready_for_review` event starts workflows.
    markReadyForReview: (number) => markPullReady(ciCtx, number),
    removeLabel: (number, label) => removeLabel(ctx, number, label),
    addLabels: (number, labels) => addLabels(ctx, number, labels),
    findCheckRun: (sha, name, externalId) => findCheckRun(ctx, sha, name, externalId),
    upsertCheckRun: (spec, id) => upsertCheckRun(ctx, spec, id),
    checkAppId: options.checkAppId ?? GITHUB_ACTIONS_APP_ID,
    checks: (sha) => listChecks(ctx, sha),
    branchProtection: (branch) => branchProtection(ctx, branch),
    reviews: (number) => reviewSummary(ctx, number),
    merge: (number, sha, method, message) => mergePull(ctx, number, sha, method, message),
    // Answers are the reviewer's conversation with omk: the main token's, not the CI token's.
    replies: octokitReviewReplies(options.octokit, repo),
  };
}

function checkServerUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new ForgeError(`The GitHub server URL '${serverUrl}' is not a URL.`, {
      hint: 'Pass GITHUB_SERVER_URL, e.g. https://github.com or https://ghe.example.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ForgeError(`The GitHub server URL '${serverUrl}' must be http(s).`);
  }
  // Credentials in the URL would end up in argv and in git's messages.
  if (url.username || url.password) throw new ForgeError('The GitHub server URL must not carry credentials.');
  return serverUrl.replace(/\/+$/, '');
}
