import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../runtime/app/index.js';
import { heuristicPlanner } from '../../runtime/app/ports.js';
import { gitRepo } from '../git/repo.js';

/** What a GitHub host gives the use cases itself: its store, forge, words, environment, execution. */
export type GitHubHostDeps = Omit<AppDeps, 'repo' | 'planner' | 'randomHex'>;

/**
 * The use cases' dependencies as every GitHub host composes them: git through the one repository
 * port, the heuristic planner (an LLM planner is the agent's, chosen per goal), goal ids suffixed
 * with six random hex digits; the rest is the host's.
 */
export function githubAppDeps(host: GitHubHostDeps): AppDeps {
  return {
    repo: gitRepo,
    planner: heuristicPlanner,
    randomHex: () => randomBytes(3).toString('hex'),
    ...host,
  };
}
