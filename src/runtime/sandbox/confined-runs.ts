import { join } from 'node:path';
import type { Agent } from '../agents/port.js';
import type { VerifyFn } from '../gates/port.js';
import { DOWNLOADS_CACHE } from '../workspace/plan.js';
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
 * content: one a gate rewrote would go into the next worktree. The same in the integration's own
 * cache for the installs of the base and the integrated tree, confined or not.
 */
export function downloadCacheDir(cacheDir: string): string {
  return join(cacheDir, DOWNLOADS_CACHE);
}

/**
 * The package managers' download caches, which live under HOME (read-only when confined): in
 * `cacheDir`'s download cache instead, which an install may write and a gate may not.
 */
export function downloadCacheEnv(cacheDir: string): Readonly<Record<string, string>> {
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
 * the goal's build cache, one of `confine.writable`. A download cache the gate environment names
 * already is kept.
 */
export function confinedPreparer(
  preparer: WorkspacePreparer,
  confine: Confinement,
  cacheDir: string,
): WorkspacePreparer {
  return {
    prepare: (input) =>
      preparer.prepare({ ...input, env: { ...downloadCacheEnv(cacheDir), ...input.env }, confine }),
  };
}

/**
 * The preparer of the base and the integrated tree: its installs keep their download caches in
 * `cacheDir` (the integration's own), confined or not. A slice's install runs the code of the tree
 * it prepares (an earlier slice's commits included: npm's install scripts, a Python build
 * backend), which can rewrite what its download caches hold, and pip installs a wheel it cached
 * without a check of its content: the installs whose trees decide the proof share none of them.
 * A cache the gate environment names (the user's `npm_config_cache`, the only one it passes on)
 * is kept, as for the slices: the user's choice (an offline cache, say), and `npm ci` checks each
 * package it reads there against the lockfile's integrity.
 */
export function ownDownloadsPreparer(preparer: WorkspacePreparer, cacheDir: string): WorkspacePreparer {
  return {
    prepare: (input) => preparer.prepare({ ...input, env: { ...downloadCacheEnv(cacheDir), ...input.env } }),
  };
}
