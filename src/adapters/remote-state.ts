import { DEFAULT_STATE_BRANCH } from '../runtime/graph/branches.js';
import type { RemoteStateStore } from '../runtime/state/remote.js';
import { readRemoteUrl } from './git/remote-url.js';
import { gitRepo } from './git/repo.js';
import { createGitStateBranch } from './git/state-branch.js';
import { pushAuthEnv } from './github/push.js';

export interface RemoteStateInput {
  /** The repository, or any directory in it. */
  repo: string;
  stateRoot: string;
  /** Default DEFAULT_STATE_BRANCH (omk/state). */
  branch?: string;
  remote?: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The goal state branch of the repository's remote, authenticated with GITHUB_TOKEN/GH_TOKEN (an
 * http.extraheader in the environment, never in the URL) when the remote is served over https.
 */
export async function composeRemoteState(input: RemoteStateInput): Promise<RemoteStateStore> {
  const remote = input.remote ?? 'origin';
  const repoRoot = (await gitRepo.inspect(input.repo)).root;
  const token = input.env.GITHUB_TOKEN ?? input.env.GH_TOKEN;
  const url = await readRemoteUrl(repoRoot, remote);
  const env = token && url !== null && /^https?:\/\//.test(url) ? pushAuthEnv(url, token) : undefined;
  return createGitStateBranch({
    repoRoot,
    stateRoot: input.stateRoot,
    remote,
    branch: input.branch ?? DEFAULT_STATE_BRANCH,
    env,
  });
}
