import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The e2e files that took longest in the last full run (ms, `npx vitest run` on the 2-core machine
 * with three workers; session 24's start, loaded by other work: about twice the idle
 * figures), slowest first. Their sizes do not say so: some are among the smaller files. Update the list when the slowest files change; a file not
 * listed is placed as vitest places it.
 */
export const SLOWEST_IN_CI: ReadonlyArray<readonly [file: string, ms: number]> = [
  ['test/execution/per-test.test.ts', 169_347],
  ['test/bot/hostile-agents.test.ts', 132_052],
  ['test/execution/hook-installers.test.ts', 114_059],
  ['test/execution/hostile-objects.test.ts', 102_663],
  ['test/execution/hostile-verdict.test.ts', 96_655],
  ['test/execution/fail-to-pass.test.ts', 94_003],
  ['test/execution/until-ready.test.ts', 90_001],
  ['test/execution/state-tampering.test.ts', 86_095],
  ['test/execution/hostile-git-config.test.ts', 83_189],
  ['test/execution/rust-crate.test.ts', 82_644],
  ['test/execution/sandboxed-agents.test.ts', 79_115],
  ['test/bot/fix.test.ts', 78_649],
  ['test/execution/go-module.test.ts', 77_846],
  ['test/execution/sandboxed-fixes.test.ts', 76_584],
  ['test/action/fix.test.ts', 70_419],
  ['test/cli/run-progress.test.ts', 64_153],
  ['test/bench/smoke-loop-prepare.test.ts', 63_581],
  ['test/action/sandbox-network.test.ts', 59_975],
  ['test/action/hostile-corpus.test.ts', 59_121],
  ['test/execution/hostile-agents.test.ts', 58_140],
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
