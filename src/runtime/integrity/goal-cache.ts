import { join } from 'node:path';
import { cacheWindow } from './cache-writers.js';
import type { IntegrityPort, StateTree } from './port.js';
import type { StateRootChange } from './state-root.js';

/** How many changed paths a finding names; the rest are counted. */
const NAMED = 3;

/**
 * The goal's build caches (`cache/<goal>` under the state root, the slices', and the integration's
 * own `cache/.integration/<goal>`), each compared by a stat of each path before and after an agent
 * run: what its gates read (CARGO_TARGET_DIR: a test binary with a fingerprint dated in the future
 * passes for every checkout's code), which only its gates and installs write. A change is named
 * unless one of them ran meanwhile (a parallel slice's), which makes it no one's for sure
 * (`cache-writers.ts`). The first cache found changed is named.
 */
export async function watchGoalCache(
  integrity: Pick<IntegrityPort, 'stateTree'>,
  stateRoot: string,
  goalId: string,
): Promise<{ check(): Promise<StateRootChange | null> }> {
  const watches = await Promise.all(
    [join('cache', goalId), join('cache', '.integration', goalId)].map((rel) =>
      watchCache(integrity, join(stateRoot, rel), rel),
    ),
  );
  return {
    async check() {
      for (const watch of watches) {
        const found = await watch.check();
        if (found !== null) return found;
      }
      return null;
    },
  };
}

async function watchCache(
  integrity: Pick<IntegrityPort, 'stateTree'>,
  dir: string,
  what: string,
): Promise<{ check(): Promise<StateRootChange | null> }> {
  const watch = await watchPaths(integrity, dir, [dir]);
  return {
    async check() {
      const [found] = await watch.check();
      return found ? { what, change: 'changed', cache: summary(found.changed) } : null;
    },
  };
}

/** One watched path that changed: its place in the list, what it held before, what changed. */
export interface PathChange {
  index: number;
  before: StateTree;
  changed: [string, StateRootChange['change']][];
}

/**
 * Walks each of `paths` (a stat of each path under it) now and again at `check`, which gives the
 * paths that changed, in order. The goal's gates and installs write such paths on purpose, so a
 * change counts only when none of those of the cache `windowDir` ran meanwhile (a parallel
 * slice's), which makes it no one's for sure (`cache-writers.ts`): else `check` finds nothing.
 */
export async function watchPaths(
  integrity: Pick<IntegrityPort, 'stateTree'>,
  windowDir: string,
  paths: readonly string[],
): Promise<{ check(): Promise<PathChange[]> }> {
  const window = cacheWindow(windowDir);
  // A gate or an install writing now: nothing this run finds there is the agent's for sure.
  if (paths.length === 0 || !window.quiet()) return { check: async () => [] };
  const walk = () => Promise.all(paths.map((path) => integrity.stateTree(path, [])));
  const before = await walk();
  return {
    async check() {
      if (!window.quiet()) return [];
      const after = await walk();
      return paths.flatMap((_, index) => {
        const was: StateTree = before[index] ?? new Map();
        const changed = changes(was, after[index] ?? new Map());
        return changed.length > 0 ? [{ index, before: was, changed }] : [];
      });
    },
  };
}

/** Files (and links) added, changed or removed; directories count only through what they hold. */
export function changes(before: StateTree, after: StateTree): [string, StateRootChange['change']][] {
  const found: [string, StateRootChange['change']][] = [];
  for (const [rel, entry] of after) {
    if (entry === 'dir') continue;
    const was = before.get(rel);
    if (was === undefined || was === 'dir') found.push([rel, 'added']);
    else if (was !== entry) found.push([rel, 'changed']);
  }
  for (const [rel, entry] of before) if (entry !== 'dir' && !after.has(rel)) found.push([rel, 'removed']);
  return found.sort(([a], [b]) => a.localeCompare(b));
}

/** `4 files (3 added, 1 changed): cargo-target/debug/deps/calc-1, …, and 1 more`. */
export function summary(changed: readonly [string, StateRootChange['change']][]): string {
  const counts = (['added', 'changed', 'removed'] as const)
    .map((kind) => [kind, changed.filter(([, change]) => change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const named = changed.slice(0, NAMED).map(([rel]) => rel);
  const more = changed.length > NAMED ? `, and ${changed.length - NAMED} more` : '';
  const files = changed.length === 1 ? '1 file' : `${changed.length} files`;
  return `${files} (${counts.join(', ')}): ${named.join(', ')}${more}`;
}
