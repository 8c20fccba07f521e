import { randomBytes } from 'node:crypto';
import { gitRepo } from '../adapters/git/repo.js';
import { processHost as createProcessHost } from '../adapters/process/host.js';
import { GoalStore } from '../runtime/goal/store.js';
import { heuristicPlanner } from '../runtime/plan/heuristic.js';
import type { Planner } from '../runtime/plan/planner.js';
import { type HostInfo, type RepoPort, type Reporter, systemClock } from '../runtime/ports.js';
import { resolveStateRoot } from '../runtime/state/paths.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface CliRuntime {
  store: GoalStore;
  reporter: Reporter;
  repo: RepoPort;
  planner: Planner;
  randomHex: () => string;
}

export const processHost: HostInfo = createProcessHost();

/** Composes the runtime for a terminal: local state root, the git CLI, the heuristic planner. */
export function composeRuntime(io: CliIo, stateDir: string | undefined): CliRuntime {
  const reporter: Reporter = {
    info: (message) => io.stderr(`omk: ${message}\n`),
    warn: (message) => io.stderr(`omk: warning: ${message}\n`),
  };
  const stateRoot = stateDir ?? resolveStateRoot(io.env);
  return {
    store: new GoalStore({ stateRoot, clock: systemClock, host: processHost, reporter }),
    reporter,
    repo: gitRepo,
    planner: heuristicPlanner,
    randomHex: () => randomBytes(3).toString('hex'),
  };
}
