import { join } from 'node:path';
import { summary, watchPaths } from './goal-cache.js';
import type { IntegrityPort } from './port.js';
import type { StateRootChange } from './state-root.js';

/** The dependency sources an unsandboxed agent run's check compares: cargo's extracted registry crates. */
export interface CrateSources {
  /** `name@version` of each registry crate the goal's base commit's Cargo.lock files name (`cargoLockCrates`). */
  crates: readonly string[];
  /** The CARGO_HOME the gates use (`cargoHome`), or null when there is none to find. */
  cargoHome: string | null;
}

/** A Cargo.lock read whole up to this size (a large workspace's is a few hundred KB). */
export const CARGO_LOCK_MAX_BYTES = 8 * 1024 * 1024;

/** The tree's Cargo.lock files, among its tracked files. */
export function cargoLockFiles(files: readonly string[]): string[] {
  return files.filter((path) => /(?:^|\/)Cargo\.lock$/.test(path));
}

/** The CARGO_HOME a gate's cargo uses: CARGO_HOME, else `~/.cargo`. */
export function cargoHome(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.CARGO_HOME) return env.CARGO_HOME;
  return env.HOME ? join(env.HOME, '.cargo') : null;
}

/**
 * `name@version` of each `[[package]]` of a Cargo.lock that comes from a registry (its `source`
 * starts with `registry+`, or `sparse+` for another registry's sparse index): the crates cargo
 * extracts under `registry/src`. Path and git dependencies are not there.
 */
export function cargoLockCrates(text: string): string[] {
  const found = new Set<string>();
  for (const block of text.split(/^\[\[package\]\]\s*$/m).slice(1)) {
    const field = (key: string) => new RegExp(`^${key} = "([^"]*)"`, 'm').exec(block)?.[1];
    const name = field('name');
    const version = field('version');
    const source = field('source');
    if (!name || !version || !source || !/^(?:registry|sparse)\+/.test(source)) continue;
    if (name.includes('/') || version.includes('/') || name.startsWith('.')) continue;
    found.add(`${name}@${version}`);
  }
  return [...found];
}

/**
 * The extracted sources of the registry crates the goal's Cargo.lock files name, in cargo's
 * `registry/src/<index-dir>/<name>-<version>` (one index directory per registry, its name a hash
 * that differs between cargo versions, so each one there is looked in), compared by a stat of
 * each path before and after an unsandboxed agent run: cargo checks a crate against its checksum
 * and `.cargo-ok` when it extracts it, not when it builds from these files, so an edit there (a
 * dependency's `equal` that always says yes) changes what every later build of it does. The cost
 * is one listing of `registry/src`, then one stat per file of the crates named, twice. A crate not
 * extracted before the run is not compared; as for Go's module cache, a change is named only when
 * none of the goal's gates and installs ran meanwhile (`cache-writers.ts`).
 */
export async function watchCrateSources(
  integrity: Pick<IntegrityPort, 'stateTree' | 'dirNames'>,
  sources: CrateSources,
  cacheDir: string,
): Promise<{ check(): Promise<StateRootChange[]> }> {
  const named = sources.cargoHome === null ? [] : [...new Set(sources.crates)].sort();
  const src = join(sources.cargoHome ?? '', 'registry', 'src');
  const indexDirs = named.length === 0 ? [] : (await integrity.dirNames(src)).sort();
  const watched = named.flatMap((crate) => {
    const at = crate.lastIndexOf('@');
    const dir = `${crate.slice(0, at)}-${crate.slice(at + 1)}`;
    return indexDirs.map((indexDir) => ({ crate, path: join(src, indexDir, dir) }));
  });
  const watch = await watchPaths(
    integrity,
    cacheDir,
    watched.map(({ path }) => path),
  );
  return {
    async check() {
      // A crate not extracted before the run is the agent's own download, or a forged one.
      return (await watch.check())
        .filter(({ before }) => before.size > 0)
        .map(({ index, changed }) => ({
          what: watched[index]?.crate ?? '',
          change: 'changed',
          crate: summary(changed),
        }));
    },
  };
}
