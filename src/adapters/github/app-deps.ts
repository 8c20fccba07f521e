import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../runtime/app/index.js';
import { type Forge, heuristicPlanner } from '../../runtime/app/ports.js';
import { createExecutionHost, logMaxBytesFromEnv } from '../execution-host.js';
import { gitRepo } from '../git/repo.js';

/**
 * What differs between GitHub hosts (the Action's runner, the bot's job): the rest is composed
 * here. `execution` given: the host's own (the bot keeps one per environment); else one made here.
 */
export type GitHubHostParts = Pick<AppDeps, 'store' | 'reporter' | 'env' | 'words'> &
  Partial<Pick<AppDeps, 'execution' | 'publishBranch' | 'repoCustomAgents'>> & {
    forge: () => Promise<Forge>;
  };

/**
 * The use cases' dependencies as a GitHub host composes them: git through the one repository
 * port, the heuristic planner (an agent plans when the goal asks), goal ids suffixed with six
 * random hex digits, agents and gates confined as the environment's sandbox says, and the
 * repository's GitHub forge.
 */
export function githubAppDeps(parts: GitHubHostParts): AppDeps {
  const { execution, ...rest } = parts;
  return {
    ...rest,
    repo: gitRepo,
    planner: heuristicPlanner,
    randomHex: () => randomBytes(3).toString('hex'),
    execution:
      execution ?? createExecutionHost({ logMaxBytes: logMaxBytesFromEnv(parts.env), env: parts.env }),
  };
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
