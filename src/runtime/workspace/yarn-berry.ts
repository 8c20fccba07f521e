import type { DetectContext } from '../gates/detector.js';

/** Yarn 2+ ("Berry") reads its settings here; Yarn 1 reads `.yarnrc`. */
export const YARNRC_YML = '.yarnrc.yml';

/** Berry's install that keeps the lockfile as it is (`--frozen-lockfile` is Yarn 1's, deprecated in Berry). */
export const YARN_BERRY_INSTALL: readonly string[] = ['yarn', 'install', '--immutable'];

export interface YarnBerry {
  /**
   * Plug'n'Play (Berry's default linker): the install is `.pnp.cjs` and the package cache, not
   * node_modules; `.pnp.cjs` names the cache by paths relative to the project, so it is made in
   * each worktree by the install, never copied from the checkout.
   */
  pnp: boolean;
}

/**
 * A Yarn Berry project, or null for Yarn 1 (or no yarn.lock): it has a `.yarnrc.yml`, or
 * package.json's `packageManager` names yarn 2 or later. (The lockfile, which can be large, is not
 * read.)
 */
export function yarnBerry(context: Pick<DetectContext, 'has' | 'read'>): YarnBerry | null {
  if (!context.has('yarn.lock')) return null;
  const rc = context.read(YARNRC_YML);
  const manager = /"packageManager"\s*:\s*"yarn@(?:[2-9]|\d{2,})/.test(context.read('package.json') ?? '');
  if (rc === null && !manager) return null;
  const linker = /^nodeLinker:\s*["']?([\w-]+)/m.exec(rc ?? '')?.[1] ?? 'pnp';
  return { pnp: linker === 'pnp' };
}
