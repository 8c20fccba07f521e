import type { ProbotOctokit } from 'probot';
import { ConfigError, ForgeError, type MergeMethod, type ReviewReplies } from '../../runtime/app/index.js';
import { reviewRepliesVia } from '../github/review-replies.js';
import { resolveReviewThread } from '../github/review-threads.js';

/** One repository as a webhook names it, with the URLs its host uses (github.com or GHES). */
export interface RepoRef {
  owner: string;
  name: string;
  fullName: string;
  /** REST root, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  /** Web and git root, e.g. https://github.com. */
  serverUrl: string;
  defaultBranch: string;
  installationId: number | undefined;
}

export interface PayloadRepository {
  name: string;
  full_name: string;
  url: string;
  html_url: string;
  default_branch: string;
  owner: { login: string };
}

/**
 * Reads a webhook's repository (signed by GitHub, so trusted). The API and web roots come from
 * its own URLs, which makes GitHub Enterprise Server work without configuration.
 */
export function repoRefOf(repository: PayloadRepository, installationId: number | undefined): RepoRef {
  const owner = repository.owner.login;
  const suffix = `/${owner}/${repository.name}`;
  const apiSuffix = `/repos${suffix}`;
  if (!repository.url.endsWith(apiSuffix) || !repository.html_url.endsWith(suffix)) {
    throw new ForgeError(`The webhook's repository URLs do not name ${repository.full_name}.`);
  }
  return {
    owner,
    name: repository.name,
    fullName: repository.full_name,
    apiUrl: repository.url.slice(0, -apiSuffix.length),
    serverUrl: repository.html_url.slice(0, -suffix.length),
    defaultBranch: repository.default_branch,
    installationId,
  };
}

export interface ThreadComment {
  id: number;
  body: string;
  /** `User`, `Bot`, `Organization`. */
  authorType: string;
}

export type Reaction = 'eyes' | 'confused' | 'rocket';

/** What the bot itself asks of GitHub (the runtime's forge does the delivery work). */
export interface BotGitHub {
  /** `permission` (admin, write, read, none) and `role_name` (admin, maintain, write, triage, read, custom). */
  permission(repo: RepoRef, login: string): Promise<{ permission: string; roleName: string | null }>;
  react(repo: RepoRef, commentId: number, content: Reaction): Promise<void>;
  comments(repo: RepoRef, issue: number): Promise<ThreadComment[]>;
  createComment(repo: RepoRef, issue: number, body: string): Promise<number>;
  updateComment(repo: RepoRef, commentId: number, body: string): Promise<void>;
  dispatch(repo: RepoRef, workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
  /** A PR's head branch, or null when the number is an issue, not a PR. */
  pullHead(repo: RepoRef, number: number): Promise<string | null>;
  /** Answers change requests on the repository's PRs: in a review comment's thread, else on the PR. */
  reviewReplies(repo: RepoRef): ReviewReplies;
  /** The merge methods the repository allows (GET /repos: allow_merge_commit, _squash_, _rebase_). */
  allowedMergeMethods(repo: RepoRef): Promise<MergeMethod[]>;
  /**
   * A settings file as @probot/octokit-plugin-config reads it: `path` on the repository's default
   * branch, else in the owner's `.github` repository, with `_extends` followed (merged shallowly,
   * the file's own keys last). Null when no file exists; a file that cannot be parsed is a ConfigError.
   */
  settingsFile(repo: RepoRef, path: string): Promise<SettingsFile | null>;
  /** A token for git and the runtime's forge: the installation token (fresh for each call). */
  token(): Promise<string>;
  /** The bot's own app id (APP_ID): what its check runs are created as. */
  readonly appId?: number;
}

export interface SettingsFile {
  config: Record<string, unknown>;
  /** Where the settings came from, `owner/repo:path` each, the repository's own first. */
  sources: string[];
}

export function createBotGitHub(octokit: ProbotOctokit, appId?: number): BotGitHub {
  const at = (repo: RepoRef) => ({ owner: repo.owner, repo: repo.name });
  return {
    appId,
    async permission(repo, login) {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        ...at(repo),
        username: login,
      });
      return { permission: data.permission, roleName: data.role_name ?? null };
    },
    async react(repo, commentId, content) {
      await octokit.rest.reactions.createForIssueComment({ ...at(repo), comment_id: commentId, content });
    },
    async comments(repo, issue) {
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        ...at(repo),
        issue_number: issue,
        per_page: 100,
      });
      return all.map((comment) => ({
        id: comment.id,
        body: comment.body ?? '',
        authorType: comment.user?.type ?? 'User',
      }));
    },
    async createComment(repo, issue, body) {
      const { data } = await octokit.rest.issues.createComment({ ...at(repo), issue_number: issue, body });
      return data.id;
    },
    async updateComment(repo, commentId, body) {
      await octokit.rest.issues.updateComment({ ...at(repo), comment_id: commentId, body });
    },
    async dispatch(repo, workflow, ref, inputs) {
      await octokit.rest.actions.createWorkflowDispatch({ ...at(repo), workflow_id: workflow, ref, inputs });
    },
    async pullHead(repo, number) {
      try {
        const { data } = await octokit.rest.pulls.get({ ...at(repo), pull_number: number });
        return data.head.ref;
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    reviewReplies(repo) {
      return reviewRepliesVia({
        async inThread(pr, commentId, body) {
          await octokit.rest.pulls.createReplyForReviewComment({
            ...at(repo),
            pull_number: pr,
            comment_id: commentId,
            body,
          });
        },
        async onPull(pr, body) {
          await octokit.rest.issues.createComment({ ...at(repo), issue_number: pr, body });
        },
        async resolveThread(pr, commentId) {
          await resolveReviewThread(octokit, at(repo), pr, commentId);
        },
      });
    },
    async allowedMergeMethods(repo) {
      const { data } = await octokit.rest.repos.get(at(repo));
      const allowed: [MergeMethod, boolean | undefined][] = [
        ['merge', data.allow_merge_commit],
        ['squash', data.allow_squash_merge],
        ['rebase', data.allow_rebase_merge],
      ];
      // Absent (a token that cannot see the settings): GitHub's default, every method.
      return allowed.filter(([, on]) => on !== false).map(([method]) => method);
    },
    async settingsFile(repo, path) {
      try {
        const { config, files } = await octokit.config.get({
          owner: repo.owner,
          repo: repo.name,
          path,
          branch: repo.defaultBranch,
        });
        const sources = files
          .filter((file) => file.config !== null)
          .map((file) => `${file.owner}/${file.repo}:${file.path}`);
        return sources.length === 0 ? null : { config, sources };
      } catch (error) {
        // An HTTP failure is GitHub's; anything else is the loader refusing what the file holds.
        const status = statusOf(error);
        if (status !== null) {
          throw new ForgeError(`GitHub answered ${status} when asked for ${path}.`, {
            cause: error,
            hint:
              status >= 500 || status === 429
                ? "That is on GitHub's side and usually brief: post the command again in a few minutes."
                : 'Check that the app is installed on this repository with read access to its contents, then post the command again.',
          });
        }
        const text = error instanceof Error ? error.message : String(error);
        throw new ConfigError(
          `${path} could not be read: ${text.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '')}`,
          {
            cause: error,
            hint: `Fix the YAML of ${path} on the default branch (it must be a map of settings), or delete it to use the defaults.`,
          },
        );
      }
    },
    async token() {
      const auth: unknown = await octokit.auth({ type: 'installation' });
      if (typeof auth === 'object' && auth !== null && 'token' in auth && typeof auth.token === 'string') {
        return auth.token;
      }
      throw new ForgeError('GitHub gave the app no installation token.', {
        hint: 'Check that the app is installed on the repository and that APP_ID and the private key match it.',
      });
    },
  };
}

function statusOf(error: unknown): number | null {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
    ? error.status
    : null;
}
