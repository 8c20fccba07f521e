import { describe, expect, it } from 'vitest';
import { expectSuccess, figures, runBench, TEST_TIMEOUT_MS, useBenchHome } from '../helpers/bench-smoke.js';

// bench/execution.mjs and bench/goal-run.mjs at their --smoke size, so that neither can rot: omk
// against git by hand and the parallel run, and one goal run's git processes counted. One of the
// files test/bench/smoke.test.ts names; test/helpers/bench-smoke.ts runs a script and reads its
// figures.

useBenchHome();

describe('bench scripts at their --smoke size', () => {
  it(
    'execution: times omk against git by hand, and the parallel run',
    async () => {
      const run = await runBench('execution.mjs', ['--smoke']);
      expectSuccess(run);
      const [baseline] = figures(run, /^git by hand \(baseline\)\s+([\d.]+)/m);
      const [omk] = figures(run, /^omk goal run\s+([\d.]+)/m);
      const [sparse] = figures(run, /^omk goal run --slice-execution sparse\s+([\d.]+)/m);
      const [controller, concurrency] = figures(
        run,
        /^median: controller ([\d.]+) s, .*max concurrency (\d+)$/m,
      );
      expect(baseline).toBeGreaterThan(0);
      expect(omk).toBeGreaterThan(0);
      expect(sparse).toBeGreaterThan(0);
      expect(controller).toBeGreaterThan(0);
      expect(concurrency).toBeGreaterThanOrEqual(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'goal-run: one goal run starts at most 58 git processes',
    async () => {
      const run = await runBench('goal-run.mjs', ['--smoke']);
      expectSuccess(run);
      const [git] = figures(run, /^this build\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\S+\s+\d+\s+(\d+)/m);
      expect(git).toBeGreaterThan(0);
      expect(git).toBeLessThanOrEqual(58);
    },
    TEST_TIMEOUT_MS,
  );
});
