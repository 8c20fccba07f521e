import { describe, expect, it } from 'vitest';
import { expectSuccess, figures, runBench, TEST_TIMEOUT_MS, useBenchHome } from '../helpers/bench-smoke.js';

// bench/faults.mjs and bench/api-calls.mjs at their --smoke size, so that neither can rot: a goal
// delivered to the fake GitHub, killed at two points and recovered, and one delivered and merged
// (under --smoke its CLI runs do not space their writes). One of the files test/bench/smoke.test.ts
// names; test/helpers/bench-smoke.ts runs a script and reads its figures.

useBenchHome();

describe('bench scripts at their --smoke size', () => {
  it(
    'faults: a delivery goal killed at two points recovers with no duplicate, nothing lost, nothing stuck',
    async () => {
      const run = await runBench('faults.mjs', ['--smoke']);
      expectSuccess(run);
      const [points, killed, withoutProof] = figures(
        run,
        /^(\d+) points, (\d+) kills landed, (\d+) without proof\.json$/m,
      );
      expect(points).toBe(2);
      expect(killed).toBe(2);
      expect(withoutProof).toBe(0);
      const tail = run.stdout.trimEnd().split('\n').slice(-3);
      expect(tail).toEqual(['0 duplicates', '0 lost', '0 stuck']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'api-calls: counts the REST calls of a 2-slice goal delivered and merged',
    async () => {
      const run = await runBench('api-calls.mjs', ['--smoke']);
      expectSuccess(run);
      const [perSlice, integrator, mergeReads, merges, total, rerun] = figures(
        run,
        /^script, 2 slices\s+2\s+(\d+) \(.*?\)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+(\d+) \(.*?\)\s+(\d+)$/m,
      );
      expect(perSlice).toBeGreaterThan(0);
      expect(integrator).toBeGreaterThan(0);
      expect(mergeReads).toBeGreaterThan(0);
      expect(merges).toBe(1);
      expect(total).toBeGreaterThan(0);
      expect(rerun).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});
