import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../runtime/app/index.js';
import { heuristicPlanner } from '../runtime/app/ports.js';
import { createExecutionHost, logMaxBytesFromEnv } from './execution-host.js';
import { gitRepo } from './git/repo.js';

/** What differs between hosts (the terminal, the Action's runner, the bot's job): the rest is composed here. */
export type HostParts = Omit<AppDeps, 'repo' | 'planner' | 'randomHex' | 'execution'> &
  Partial<Pick<AppDeps, 'execution'>>;

/**
 * The use cases' dependencies as every host composes them: git through the one repository port,
 * the heuristic planner (an agent plans when the goal asks), goal ids suffixed with six random hex
 * digits, and agents and gates run (and confined) as the environment says. `execution` given: the
 * host's own (the bot keeps one per environment); else one made here.
 */
export function hostAppDeps(parts: HostParts): AppDeps {
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
