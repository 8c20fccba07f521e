import { join } from 'node:path';
import type { Agent } from '../agents/port.js';
import type { VerifyFn } from '../gates/port.js';
import type { WorkspacePreparer } from '../workspace/port.js';
import type { Confinement } from './port.js';

/** The agent with every run confined (its process only: the built-in demo agent starts none). */
export function confinedAgent(agent: Agent, confine: Confinement): Agent {
  return {
    name: agent.name,
    label: agent.label,
    run: (input) => agent.run({ ...input, confine }),
  };
}

/** The gate verifier with every gate process confined: gates run the agent's code (its tests). */
export function confinedVerify(verify: VerifyFn, confine: Confinement): VerifyFn {
  return (gates, context) => verify(gates, { ...context, confine });
}

/**
 * The package managers' download caches, which live under HOME (read-only when confined): in
 * the goal's build cache instead, which a confined install may write. A variable the gate
 * environment already sets is kept.
 */
export function confinedCacheEnv(cacheDir: string): Readonly<Record<string, string>> {
  return {
    npm_config_cache: join(cacheDir, 'npm'),
    YARN_CACHE_FOLDER: join(cacheDir, 'yarn'),
    npm_config_store_dir: join(cacheDir, 'pnpm-store'),
    PIP_CACHE_DIR: join(cacheDir, 'pip'),
  };
}

/**
 * The worktree preparer with every install and setup command confined as the gates are: they run
 * the repository's code (install scripts, `workspace.setup`) before any agent does. `cacheDir` is
 * the goal's build cache, one of `confine.writable`.
 */
export function confinedPreparer(
  preparer: WorkspacePreparer,
  confine: Confinement,
  cacheDir: string,
): WorkspacePreparer {
  return {
    prepare: (input) =>
      preparer.prepare({ ...input, env: { ...confinedCacheEnv(cacheDir), ...input.env }, confine }),
  };
}
