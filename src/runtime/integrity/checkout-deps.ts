import { join } from 'node:path';
import { VENV_DIRS } from '../workspace/plan.js';
import { summary, watchPaths } from './goal-cache.js';
import type { IntegrityPort } from './port.js';
import type { StateRootChange } from './state-root.js';

/**
 * What gates take from the user's checkout besides the goal's commit: its virtualenvs, which every
 * gate uses in place (first on PATH), and its node_modules, which worktrees copy (omk's shared
 * copy is made from it). Its tracked files are not: gates read the worktree's.
 */
export const CHECKOUT_DEPENDENCY_DIRS: readonly string[] = [...VENV_DIRS, 'node_modules'];

/**
 * The checkout's dependency directories, compared by a stat of each path (kind, inode, size,
 * modification and change times) before and after an unsandboxed agent run: a pytest plugin
 * planted in `.venv` (or a package rewritten in `node_modules`, its times set back) passes failing
 * tests for every later gate. A sandboxed agent cannot write there (the checkout is read-only).
 * The goal's gates and installs may write there too (Python's `__pycache__` in the virtualenv a
 * gate imports from, the base worktree's hard links to the checkout's node_modules), so, as for
 * the goal's build cache, a change is named only when none of them ran meanwhile
 * (`cache-writers.ts`, counted by the goal's cache directory).
 */
export async function watchCheckoutDeps(
  integrity: Pick<IntegrityPort, 'stateTree'>,
  repoRoot: string,
  cacheDir: string,
): Promise<{ check(): Promise<StateRootChange[]> }> {
  const watch = await watchPaths(
    integrity,
    cacheDir,
    CHECKOUT_DEPENDENCY_DIRS.map((dir) => join(repoRoot, dir)),
  );
  return {
    async check() {
      return (await watch.check()).map(({ index, changed }) => ({
        what: `${CHECKOUT_DEPENDENCY_DIRS[index]}/`,
        change: 'changed',
        checkout: summary(changed),
      }));
    },
  };
}
