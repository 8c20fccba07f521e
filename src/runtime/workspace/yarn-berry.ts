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

/** The lockfile of Yarn 1 and Berry alike. */
export const YARN_LOCK = 'yarn.lock';

/** Berry's lockfile is YAML with a `__metadata:` block (its version, cache key); Yarn 1's has none. */
const BERRY_LOCKFILE = /^__metadata:/m;

/**
 * A Yarn Berry project, or null for Yarn 1 (or no yarn.lock): it has a `.yarnrc.yml`,
 * package.json's `packageManager` names yarn 2 or later, or else its yarn.lock is Berry's (read
 * only then, and only one of at most MAX_READ_BYTES: a larger one counts as Yarn 1's).
 */
export function yarnBerry(context: Pick<DetectContext, 'has' | 'read'>): YarnBerry | null {
  if (!context.has(YARN_LOCK)) return null;
  const rc = context.read(YARNRC_YML);
  const manager = /"packageManager"\s*:\s*"yarn@(?:[2-9]|\d{2,})/.test(context.read('package.json') ?? '');
  if (rc === null && !manager && !BERRY_LOCKFILE.test(context.read(YARN_LOCK) ?? '')) return null;
  const linker = /^nodeLinker:\s*["']?([\w-]+)/m.exec(rc ?? '')?.[1] ?? 'pnp';
  return { pnp: linker === 'pnp' };
}
