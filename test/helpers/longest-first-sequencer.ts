import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files that took longest in the last CI run (ms, `npx vitest run` on the 2-core machine
 * with three workers), slowest first. Their sizes do not say so: `node-vitest.test.ts` is one of
 * the smaller files. Update the list when the slowest files change; a file not listed is placed
 * as vitest places it.
 */
export const SLOWEST_IN_CI: ReadonlyArray<readonly [file: string, ms: number]> = [
  ['test/execution/integration-repair.test.ts', 68_494],
  ['test/execution/until-ready.test.ts', 65_892],
  ['test/bot/hostile-agents.test.ts', 61_299],
  ['test/execution/hook-installers.test.ts', 59_002],
  ['test/cli/goal-lifecycle.test.ts', 57_498],
  ['test/cli/run-progress.test.ts', 56_138],
  ['test/execution/sandboxed-agents.test.ts', 54_276],
  ['test/cli/goal-deliver.test.ts', 51_243],
  ['test/execution/state-tampering.test.ts', 49_146],
  ['test/execution/per-test.test.ts', 48_671],
  ['test/bot/fix.test.ts', 48_270],
  ['test/execution/hostile-git-config.test.ts', 45_646],
  ['test/execution/sandboxed-fixes.test.ts', 44_211],
  ['test/bot/custom-agents-existing.test.ts', 42_103],
  ['test/execution/node-vitest.test.ts', 39_888],
  ['test/github/merge-crash.test.ts', 39_729],
];

/**
 * Longest files first, so that no long file starts last and runs alone at the end. Vitest orders
 * by the durations it cached in an earlier run; with no cache (a fresh clone, as in CI) it starts
 * the largest files first, and then the files listed above, which are slow but not all large, go
 * first (in the list's order), the rest after them in vitest's order. Projects keep vitest's order.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const timed = sorted.some((spec) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`),
    );
    if (timed) return sorted;
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    const rank = (spec: TestSpecification): number => {
      const at = SLOWEST_IN_CI.findIndex(([file]) => file === relative(root, spec.moduleId));
      return at === -1 ? SLOWEST_IN_CI.length : at;
    };
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort(
        (a, b) =>
          projects.indexOf(a.spec.project.name) - projects.indexOf(b.spec.project.name) ||
          rank(a.spec) - rank(b.spec) ||
          a.index - b.index,
      )
      .map(({ spec }) => spec);
  }
}
