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

/**
 * The gate verifier with every gate process confined: gates run the agent's code (its tests).
 * `cacheDir` (the goal's build cache, one of `confine.writable`): its download caches stay
 * read-only to gates.
 */
export function confinedVerify(verify: VerifyFn, confine: Confinement, cacheDir: string): VerifyFn {
  const gateConfine: Confinement = {
    ...confine,
    readOnly: [...(confine.readOnly ?? []), downloadCacheDir(cacheDir)],
  };
  return (gates, context) => verify(gates, { ...context, confine: gateConfine });
}

/**
 * Where confined installs keep the package managers' download caches: in the goal's build cache
 * (installs may write it), in a directory of its own that gates get read-only. Gates run the
 * agent's code, and pip takes a wheel it cached for every later install without a check of its
 * content: one a gate rewrote would go into the next worktree (the integration's included).
 */
export function downloadCacheDir(cacheDir: string): string {
  return join(cacheDir, 'downloads');
}

/**
 * The package managers' download caches, which live under HOME (read-only when confined): in
 * the goal's download cache instead, which a confined install may write and a gate may not. A
 * variable the gate environment already sets is kept.
 */
export function confinedCacheEnv(cacheDir: string): Readonly<Record<string, string>> {
  const downloads = downloadCacheDir(cacheDir);
  return {
    npm_config_cache: join(downloads, 'npm'),
    YARN_CACHE_FOLDER: join(downloads, 'yarn'),
    npm_config_store_dir: join(downloads, 'pnpm-store'),
    PIP_CACHE_DIR: join(downloads, 'pip'),
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
