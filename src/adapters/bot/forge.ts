import type { Env, ExecutionHost } from '../../runtime/app/index.js';
import type { Forge } from '../../runtime/app/ports.js';
import { createExecutionHost, logMaxBytesFromEnv } from '../execution-host.js';
import { createGitHubForge } from '../github/forge.js';
import { createOctokit } from '../github/octokit.js';
import type { BotGitHub, RepoRef } from './github.js';

const executionHosts = new WeakMap<Env, ExecutionHost>();

/**
 * One execution host per bot environment, so its sandbox is probed once, not per job: agents and
 * gates confined like the CLI's and the Action's (sandbox: auto|required|off).
 */
export function executionHostFor(env: Env): ExecutionHost {
  let host = executionHosts.get(env);
  if (host === undefined) {
    host = createExecutionHost({ logMaxBytes: logMaxBytesFromEnv(env), env });
    executionHosts.set(env, host);
  }
  return host;
}

/**
 * The runtime's GitHub forge for one repository, with a fresh installation token: tokens last an
 * hour, and a local run may take longer, so it is made right before delivery or merge.
 */
export async function forgeFor(gh: BotGitHub, repo: RepoRef): Promise<Forge> {
  const token = await gh.token();
  const octokit = createOctokit({
    token,
    baseUrl: repo.apiUrl,
    userAgent: 'omk-bot',
    request: { fetch: globalThis.fetch },
  });
  return createGitHubForge({
    octokit,
    repo: { owner: repo.owner, name: repo.name },
    token,
    serverUrl: repo.serverUrl,
    // Its check runs are the bot app's own: a merge trusts only an omk/proof run by that app.
    checkAppId: gh.appId,
  });
}
