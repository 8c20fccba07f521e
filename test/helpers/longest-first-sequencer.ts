import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files that took longest in the last full run (ms, `npx vitest run` on the 2-core machine
 * with three workers; session 23's start, loaded by other work: about three times the idle
 * figures), slowest first. Their sizes do not say so: some are among the smaller files. Update the list when the slowest files change; a file not
 * listed is placed as vitest places it.
 */
export const SLOWEST_IN_CI: ReadonlyArray<readonly [file: string, ms: number]> = [
  ['test/execution/go-module.test.ts', 174_537],
  ['test/execution/install-download-cache.test.ts', 130_742],
  ['test/execution/rust-crate.test.ts', 128_640],
  ['test/execution/hostile-objects.test.ts', 113_785],
  ['test/execution/hostile-git-config.test.ts', 113_476],
  ['test/execution/hostile-verdict.test.ts', 110_821],
  ['test/execution/go-cache-forgery.test.ts', 110_534],
  ['test/execution/integration-repair.test.ts', 110_006],
  ['test/cli/goal-deliver.test.ts', 102_411],
  ['test/bot/pause-race.test.ts', 99_163],
  ['test/execution/node-vitest.test.ts', 91_264],
  ['test/execution/interruptions.test.ts', 85_196],
  ['test/execution/until-ready.test.ts', 84_746],
  ['test/faults/faults.test.ts', 84_705],
  ['test/github/merge-crash.test.ts', 78_716],
  ['test/cli/goal-fix-workspaces.test.ts', 78_441],
  ['test/faults/action-push.test.ts', 78_102],
  ['test/action/remote-decisions.test.ts', 77_125],
  ['test/cli/workflow-edit-intent.test.ts', 76_817],
  ['test/execution/prepare.test.ts', 74_771],
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
