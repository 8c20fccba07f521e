import { join } from 'node:path';
import type { VerifyFn } from '../gates/port.js';
import { CARGO_TARGET_CACHE, DOWNLOADS_CACHE, GO_BUILD_CACHE } from '../workspace/plan.js';
import type { WorkspacePreparer } from '../workspace/port.js';
import { changes } from './goal-cache.js';
import type { IntegrityPort, StateTree } from './port.js';

/** What the base's gates build that the slices start from: cargo's target directory, Go's cache. */
const BUILT = [CARGO_TARGET_CACHE, GO_BUILD_CACHE];

/**
 * The build cache the integration's gates read (issue 17). The slices' cache (`cache/<goal>`) is
 * written by every slice's gates, which run the agents' code, that of an attempt later reset or a
 * slice that failed included: what it plants there (a fixed crate's test binary, its fingerprints
 * dated in the future) cargo takes for fresh in any checkout. So the gates on the base and on the
 * integrated tree (its repairs' included) build in a cache of their own, which no slice's gate
 * writes: confined, they alone have it writable. The installs of those two worktrees keep their
 * download caches there too (`downloads/`): a slice's install runs the code of the tree it
 * prepares (npm's install scripts, a Python build backend), an earlier slice's commits included,
 * and pip takes a wheel it cached for every later install without a check of its content.
 * Unconfined, a slice's gate or install can still write it, so each gate run or install there
 * starts by comparing it with what the last one left (a stat of each path, in this process):
 * changed meanwhile, it is emptied first and the gates build (the installs download) from
 * nothing; and what an earlier process left there is emptied before this one's first run there.
 * The slices start from a copy of what the base's gates built there before any agent ran (and,
 * confined, of what its install downloaded), so neither starts cold.
 */
export interface IntegrationCache {
  /** `cache/.integration/<goal>` under the state root. */
  dir: string;
  /** The gate verifier for the base and the integrated tree: writes this cache, not the slices'. */
  verify: VerifyFn;
  /**
   * The worktree preparer for the base and the integrated tree: its installs keep their download
   * caches here, not in the slices' cache or the user's, and its commands get `env`'s paths.
   */
  preparer: WorkspacePreparer;
  /**
   * A gate environment of the goal pointed at this cache instead of the slices': each variable
   * naming a path in the slices' cache (CARGO_TARGET_DIR) names the same path here.
   */
  env(env: Readonly<Record<string, string>>): Readonly<Record<string, string>>;
  /**
   * Before the first agent: gives the slices' cache a copy of what the base's gates built here
   * (cargo's target directory, Go's cache) and, confined, what the base's install downloaded (the
   * slices' confined installs read their download caches there; unconfined, the user's), each one
   * the slices' cache has none of yet (a goal that builds and installs nothing copies nothing).
   * Whether it copied any.
   */
  seedSlices(): Promise<boolean>;
}

/** Copies directory `from` to `to` (kept times, no links shared); false when `from` is missing or `to` exists. */
export type CopyCache = (from: string, to: string) => Promise<boolean>;

export function integrationCache(options: {
  /** The slices' cache (`cache/<goal>`). */
  goalCache: string;
  dir: string;
  /** `verify` writing `dir` (confined: `dir` its only writable cache, its `downloads/` read-only). */
  verify: VerifyFn;
  /**
   * The preparer whose installs keep their download caches in `dir`'s `downloads/` (confined: `dir`
   * its only writable cache).
   */
  preparer: WorkspacePreparer;
  copy: CopyCache;
  integrity: Pick<IntegrityPort, 'stateTree'>;
  /** Removes `dir` and all in it. */
  remove(dir: string): Promise<unknown>;
  /**
   * Whether a slice's gate or install cannot write `dir` (they run confined): what an earlier omk
   * process left there is then taken as it is. Otherwise this process empties it before its first
   * gate run or install there, having no stat of what that process's last one left.
   */
  confined: boolean;
  info(message: string): void;
  warn(message: string): void;
}): IntegrationCache {
  const { goalCache, dir, copy, integrity } = options;
  /** What the last gate run here left; null before the first in this process. */
  let left: StateTree | null = null;
  /** A gate run or an install writing `dir`: what else wrote it since the last one is emptied first. */
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    if (left === null && !options.confined && (await integrity.stateTree(dir, [])).size > 0) {
      await options.remove(dir);
      options.info(
        "omk emptied the integration's build cache, which an earlier run left: unconfined, a slice's gate or install could have written it since, and this process has no record of it; the gates and installs on the base and on the integrated tree build and download from nothing",
      );
    }
    if (left !== null) {
      const changed = changes(left, await integrity.stateTree(dir, []));
      if (changed.length > 0) {
        await options.remove(dir);
        const first = changed[0]?.[0] ?? '';
        options.warn(
          `the integration's build cache changed since omk's last gate run or install there (${changed.length} file(s), ${first} first), outside the gates and installs on the base and on the integrated tree: omk emptied it, and these build and download from nothing`,
        );
      }
    }
    try {
      return await run();
    } finally {
      left = await integrity.stateTree(dir, []);
    }
  };
  const env = (vars: Readonly<Record<string, string>>): Readonly<Record<string, string>> => {
    const moved = Object.entries(vars).filter(([, value]) => under(value, goalCache));
    if (moved.length === 0) return vars;
    const own = moved.map(([name, value]) => [name, dir + value.slice(goalCache.length)]);
    return { ...vars, ...Object.fromEntries(own) };
  };
  return {
    dir,
    verify: (gates, context) => guarded(() => options.verify(gates, context)),
    preparer: {
      prepare: (input) =>
        guarded(() =>
          options.preparer.prepare({
            ...input,
            plan: { ...input.plan, env: env(input.plan.env) },
            env: env(input.env),
          }),
        ),
    },
    env,
    seedSlices: async () => {
      let copied = false;
      const seeded = options.confined ? [...BUILT, DOWNLOADS_CACHE] : BUILT;
      for (const name of seeded) copied = (await copy(join(dir, name), join(goalCache, name))) || copied;
      return copied;
    },
  };
}

/** Whether `path` is `dir` or lies in it. */
function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
