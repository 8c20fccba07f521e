import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files that took longest in the last full run (ms, `npx vitest run` on the 2-core machine
 * with three workers: a fresh-clone `.ci/run` of session 24, the machine idle; the reporter's
 * file times, which count a file's beforeAll), slowest first. Their sizes do not say so: some are among the smaller files. Update the list when the slowest files change; a file not
 * listed is placed as vitest places it.
 */
export const SLOWEST_IN_CI: ReadonlyArray<readonly [file: string, ms: number]> = [
  ['test/execution/until-ready.test.ts', 82_305],
  ['test/execution/per-test.test.ts', 79_551],
  ['test/execution/hostile-verdict.test.ts', 76_922],
  ['test/execution/rust-crate.test.ts', 69_387],
  ['test/bot/hostile-agents.test.ts', 67_163],
  ['test/execution/hostile-objects.test.ts', 65_070],
  ['test/execution/go-module.test.ts', 63_545],
  ['test/execution/node-vitest.test.ts', 59_461],
  ['test/execution/fail-to-pass.test.ts', 57_541],
  // Session 26: 142 s in a full run on a loaded machine where the files around it took 2.5-3.5
  // times their figures here (Yarn Plug'n'Play and pnpm cases were added in session 25).
  ['test/execution/prepare.test.ts', 52_000],
  ['test/execution/hook-installers.test.ts', 51_693],
  ['test/execution/hostile-agents.test.ts', 43_153],
  ['test/execution/hostile-git-config.test.ts', 40_004],
  ['test/execution/install-download-cache.test.ts', 38_618],
  ['test/action/sandbox-network.test.ts', 38_469],
  ['test/execution/integration-repair.test.ts', 36_959],
  ['test/execution/state-tampering.test.ts', 34_802],
  ['test/execution/sandboxed-agents.test.ts', 33_803],
  ['test/bot/fix.test.ts', 33_390],
  ['test/cli/goal-deliver.test.ts', 32_833],
  ['test/execution/sandboxed-fixes.test.ts', 31_360],
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
