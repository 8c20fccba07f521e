import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files that took longest in the last full run (ms, `npx vitest run` on the 2-core machine
 * with three workers; session 17's merge, at load 9-12), slowest first. Their sizes do not say so:
 * some are among the smaller files. Update the list when the slowest files change; a file not
 * listed is placed as vitest places it.
 */
export const SLOWEST_IN_CI: ReadonlyArray<readonly [file: string, ms: number]> = [
  ['test/execution/hook-installers.test.ts', 86_683],
  ['test/execution/sandboxed-agents.test.ts', 71_169],
  ['test/cli/run-progress.test.ts', 61_838],
  ['test/bot/hostile-agents.test.ts', 59_744],
  ['test/execution/state-tampering.test.ts', 55_719],
  ['test/execution/per-test.test.ts', 55_647],
  ['test/cli/goal-deliver.test.ts', 53_934],
  ['test/execution/hostile-objects.test.ts', 49_523],
  ['test/execution/until-ready.test.ts', 46_169],
  ['test/action/sandbox-network.test.ts', 45_115],
  ['test/execution/integration-repair.test.ts', 41_702],
  ['test/action/remote-decisions.test.ts', 40_639],
  ['test/faults/action-push.test.ts', 40_397],
  ['test/validation/hostile-refs.test.ts', 35_802],
  ['test/faults/faults.test.ts', 35_791],
  ['test/execution/prepare.test.ts', 35_735],
  ['test/action/fan-out-repair.test.ts', 34_003],
  ['test/github/merge-forgery.test.ts', 32_001],
  ['test/bot/fix.test.ts', 31_485],
  ['test/execution/start-shared-goal.test.ts', 31_426],
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
