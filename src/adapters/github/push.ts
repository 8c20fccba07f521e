import { ForgeError, GitError } from '../../runtime/errors.js';
import type { PushSpec, RepoCoordinates } from '../../runtime/forge/port.js';
import { branchNameProblem, OMK_BRANCH_PREFIX, shownBranch } from '../../runtime/graph/branches.js';
import type { PushRef, PushRefResult } from '../git/push-ref.js';
import { redact } from './errors.js';
import { basicCredential, maskValues } from './token-mask.js';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Git configuration given through the environment, never argv (argv is visible in `ps` and is
 * echoed in git error messages) and never the URL. The first entry (empty value) resets extra
 * headers inherited from other config, e.g. the one actions/checkout persists: two Authorization
 * headers make GitHub answer 400. Keyed on the exact push URL, so no broader or more specific
 * config wins over it, and a URL rewritten by `insteadOf` to another host never receives it.
 */
export function pushAuthEnv(
  pushUrl: string,
  token: string,
  proxy: string | null = null,
): Record<string, string> {
  const key = `http.${pushUrl}.extraheader`;
  const entries: [string, string][] = [
    [key, ''],
    [key, `AUTHORIZATION: basic ${basicCredential(token)}`],
    // omk's git runs with `-c http.proxy=` (a proxy planted in config is never obeyed, nor, then,
    // HTTPS_PROXY): the proxy omk chose from the environment (proxyFor) is given for this URL
    // only, which beats the general setting.
    ...(proxy === null ? [] : [[`http.${pushUrl}.proxy`, proxy] as [string, string]]),
  ];
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([name, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = name;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

export interface PushDeps {
  repo: RepoCoordinates;
  token: string;
  /** `https://github.com` or a GHES host. */
  serverUrl: string;
  /** Overrides the push URL (tests push to a local bare repository). */
  remoteUrl?: string;
  pushRef: PushRef;
  /** The proxy for the push URL (proxyFor), or null. */
  proxy?: string | null;
}

export function pushUrlFor(serverUrl: string, repo: RepoCoordinates): string {
  return `${serverUrl.replace(/\/+$/, '')}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}.git`;
}

/**
 * Pushes `sha` to `refs/heads/<branch>`. Fast-forward only, except omk's own branches, which are
 * forced only with a lease on the SHA the caller last saw (`null`: the branch must not exist).
 */
export async function pushBranch(deps: PushDeps, spec: PushSpec): Promise<void> {
  const { branch, sha } = spec;
  if (!SHA.test(sha)) throw new ForgeError(`Refusing to push '${sha}': not a full commit SHA.`);
  // The one branch-name rule (runtime/graph/branches.ts), the one open-pr checks its base by:
  // nothing option-like, range-like or refspec-like can reach argv.
  const problem = branchNameProblem(branch);
  if (problem !== null) {
    throw new ForgeError(
      `Refusing to push to '${shownBranch(branch)}': not a safe branch name (${problem}).`,
    );
  }
  const ref = `refs/heads/${branch}`;
  const lease = spec.expectedRemoteSha;
  if (lease !== undefined) {
    if (!branch.startsWith(OMK_BRANCH_PREFIX)) {
      throw new ForgeError(
        `Policy: omk never force-pushes '${branch}'; only ${OMK_BRANCH_PREFIX}* branches.`,
        {
          hint: 'Push without expectedRemoteSha (fast-forward), or deliver on an omk/ branch.',
        },
      );
    }
    if (lease !== null && !SHA.test(lease)) {
      throw new ForgeError(`Refusing to push ${branch}: expected remote SHA '${lease}' is not a full SHA.`);
    }
  }
  const pushUrl = pushUrlFor(deps.serverUrl, deps.repo);
  const secrets = maskValues(deps.token);
  const where = `${deps.repo.owner}/${deps.repo.name}`;
  let result: PushRefResult;
  try {
    result = await deps.pushRef({
      repoRoot: spec.repoRoot,
      url: deps.remoteUrl ?? pushUrl,
      sha,
      ref,
      ...(lease === undefined ? {} : { lease }),
      env: pushAuthEnv(pushUrl, deps.token, deps.proxy ?? null),
    });
  } catch (error) {
    const message = error instanceof GitError ? error.message : String(error);
    throw new ForgeError(`Could not push ${branch} to ${where}: ${redact(message, secrets)}`, {
      hint: 'Check the token can write contents to the repository and that the network reaches the server.',
    });
  }
  if (result.exitCode !== 0 || result.rejected.length > 0) {
    const reason =
      result.rejected.join('; ') || redact(result.stderr.trim(), secrets) || `exit ${result.exitCode}`;
    throw new ForgeError(`Push of ${branch} to ${where} was rejected: ${reason}`, {
      hint:
        lease === undefined
          ? 'The remote branch has commits omk did not make; omk never overwrites them.'
          : `The remote branch is no longer at ${lease ?? '(absent)'}: reload the delivery state and deliver again.`,
    });
  }
}
