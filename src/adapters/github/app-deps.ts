import type { AppDeps } from '../../runtime/app/index.js';
import type { Forge } from '../../runtime/app/ports.js';
import { gitKeptBundles } from '../git/kept-bundle.js';
import { hostAppDeps } from '../host-app-deps.js';

/**
 * What differs between GitHub hosts (the Action's runner, the bot's job): the rest is composed
 * by `hostAppDeps`. `execution` given: the host's own (the bot keeps one per environment).
 */
export type GitHubHostParts = Pick<AppDeps, 'store' | 'reporter' | 'env' | 'words'> &
  Partial<Pick<AppDeps, 'execution' | 'publishBranch' | 'repoCustomAgents'>> & {
    forge: () => Promise<Forge>;
  };

/** The use cases' dependencies as a GitHub host composes them: `hostAppDeps` and the repository's GitHub forge. */
export function githubAppDeps(parts: GitHubHostParts): AppDeps {
  // The job's checkout does not outlive it: a branch kept until acceptance travels with the goal.
  return hostAppDeps({ ...parts, keptBundles: gitKeptBundles });
}

/**
 * Publishes a finished slice's branch to the repository through the forge's push: fast-forward
 * only, or over `lease` (the head it replaces), so other machines and a resume build on it.
 */
export function publishThroughForge(
  forge: () => Promise<Forge>,
  repoRoot: string,
): (branch: string, sha: string, lease?: string) => Promise<void> {
  return async (branch, sha, lease) =>
    (await forge()).push({
      repoRoot,
      branch,
      sha,
      ...(lease === undefined ? {} : { expectedRemoteSha: lease }),
    });
}
