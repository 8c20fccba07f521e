import { ForgeError } from '../../runtime/errors.js';
import type { Forge, RepoCoordinates } from '../../runtime/forge/port.js';
import { readRemoteUrl } from '../git/remote-url.js';
import { fetchFor, proxyFor } from '../http/proxy.js';
import { createGitHubForge } from './forge.js';
import { createOctokit, DEFAULT_API_URL, tokenFrom } from './octokit.js';
import { pushUrlFor } from './push.js';

/** owner/name from a GitHub remote URL (https, ssh, or scp-like); null when it is not one. */
export function parseGitHubRemote(url: string): RepoCoordinates | null {
  const match =
    /^(?:https?:\/\/(?:[^@/]+@)?[^/]+\/|ssh:\/\/git@[^/]+\/|git@[^:]+:)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      url.trim(),
    );
  if (!match?.[1] || !match[2]) return null;
  return { owner: match[1], name: match[2] };
}

export interface GitHubForgeEnvironment {
  repoRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Explicit owner/name (the Action has GITHUB_REPOSITORY); else read from the origin remote. */
  repo?: RepoCoordinates;
  token?: string;
  /** A token for pushes and PRs so CI runs on them (the Action's `ci-token`); none: `token`. */
  ciToken?: string;
  /** The app omk's check runs are created as (the Action's proof-check-app-id); OMK_CHECK_APP_ID wins. */
  checkAppId?: number;
}

/**
 * The GitHub forge as a host would compose it: token from input or environment, API and web URLs
 * from GITHUB_API_URL / GITHUB_SERVER_URL (GitHub Enterprise Server), owner/name from the
 * repository. Used by the CLI, the Action and the bot.
 */
export async function composeGitHubForge(input: GitHubForgeEnvironment): Promise<Forge> {
  const token = tokenFrom({ token: input.token, env: input.env });
  const repo = input.repo ?? (await repoFromOrigin(input.repoRoot));
  const baseUrl = input.env.GITHUB_API_URL ?? DEFAULT_API_URL;
  const serverUrl = input.env.GITHUB_SERVER_URL ?? 'https://github.com';
  // HTTPS_PROXY / NO_PROXY as the Actions toolkit reads them, for the API and for git.
  const fetch = await fetchFor(baseUrl, input.env);
  const proxy = proxyFor(pushUrlFor(serverUrl, repo), input.env);
  const octokit = createOctokit({ token, baseUrl, request: { fetch } });
  // OMK_CHECK_APP_ID wins over what the host passes (the Action's proof-check-app-id).
  const checkAppId = checkAppIdFrom(input.env.OMK_CHECK_APP_ID) ?? input.checkAppId;
  const ciToken = input.ciToken?.trim();
  const ci = ciToken
    ? {
        token: ciToken,
        octokit: createOctokit({ token: ciToken, baseUrl, request: { fetch } }),
      }
    : undefined;
  return createGitHubForge({ octokit, repo, token, serverUrl, checkAppId, proxy, ...(ci ? { ci } : {}) });
}

/**
 * The GitHub App omk's token creates check runs as: `OMK_CHECK_APP_ID` when the token is another
 * app's (a GitHub App installation token), else GitHub Actions (a workflow's token).
 */
export function checkAppIdFrom(raw: string | undefined, name = 'OMK_CHECK_APP_ID'): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const id = Number(raw.trim());
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ForgeError(`${name} '${raw}' is not a GitHub App id.`, {
      hint: `Set it to the numeric id of the app whose token omk uses (the app's settings page shows it), e.g. ${name}=123456.`,
    });
  }
  return id;
}

async function repoFromOrigin(repoRoot: string): Promise<RepoCoordinates> {
  const url = await readRemoteUrl(repoRoot, 'origin');
  const repo = url === null ? null : parseGitHubRemote(url);
  if (!repo) {
    throw new ForgeError(
      'Cannot tell which GitHub repository this is: the origin remote is missing or not a GitHub URL.',
      {
        hint: 'Add one (git remote add origin https://github.com/OWNER/REPO.git), or use --forge local.',
      },
    );
  }
  return repo;
}
