import { join } from 'node:path';
import { summary, watchPaths } from './goal-cache.js';
import type { IntegrityPort } from './port.js';
import type { StateRootChange } from './state-root.js';

/** The dependency sources an unsandboxed agent run's check compares: Go modules in the module cache. */
export interface ModuleSources {
  /** `module@version` of each module the goal's base commit's go.sum files name (`goSumModules`). */
  modules: readonly string[];
  /** The module cache the gates use (`goModCache`), or null when there is none to find. */
  modCache: string | null;
}

/** A go.sum file read whole up to this size (a large project's is a few hundred KB). */
export const GO_SUM_MAX_BYTES = 8 * 1024 * 1024;

/** The tree's go.sum files, among its tracked files. */
export function goSumFiles(files: readonly string[]): string[] {
  return files.filter((path) => /(?:^|\/)go\.sum$/.test(path));
}

/**
 * The module cache a gate's go uses: GOMODCACHE, else the first GOPATH entry's `pkg/mod`, else
 * `~/go/pkg/mod` (gates get GOPATH pointed there from their own HOME).
 */
export function goModCache(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.GOMODCACHE) return env.GOMODCACHE;
  const gopath = env.GOPATH?.split(':').find((entry) => entry !== '');
  if (gopath) return join(gopath, 'pkg', 'mod');
  return env.HOME ? join(env.HOME, 'go', 'pkg', 'mod') : null;
}

/** Go's case escaping of a module path or version in the module cache: `Azure` → `!azure`. */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);
}

/** The `module@version` each go.sum line of a module's source (not its `/go.mod` line) names. */
export function goSumModules(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const [module, version] = line.trim().split(/\s+/);
    if (!module || !version || version.endsWith('/go.mod')) continue;
    found.add(`${module}@${version}`);
  }
  return [...found];
}

/**
 * The extracted sources of the modules the goal's go.sum files name, in Go's module cache,
 * compared by a stat of each path before and after an unsandboxed agent run: go checks a module
 * against go.sum when it downloads it, not when it builds from these files, so an edit there (a
 * dependency's `Equal` that always says yes) changes what every later gate builds. The cost is
 * one stat per file of the modules named, twice. A module not extracted before the run is not
 * compared (the agent's own download looks the same as a forged one). The goal's gates and
 * installs may download into the cache too, so, as for the checkout's dependency directories, a
 * change is named only when none of them ran meanwhile (`cache-writers.ts`).
 */
export async function watchModuleSources(
  integrity: Pick<IntegrityPort, 'stateTree'>,
  sources: ModuleSources,
  cacheDir: string,
): Promise<{ check(): Promise<StateRootChange[]> }> {
  const { modCache } = sources;
  const named = modCache === null ? [] : [...new Set(sources.modules)].sort();
  const watch = await watchPaths(
    integrity,
    cacheDir,
    named.map((module) => join(modCache ?? '', escapeModulePath(module))),
  );
  return {
    async check() {
      // A module not extracted before the run is the agent's own download, or a forged one.
      return (await watch.check())
        .filter(({ before }) => before.size > 0)
        .map(({ index, changed }) => ({
          what: named[index] ?? '',
          change: 'changed',
          module: summary(changed),
        }));
    },
  };
}
