import { describe, expect, it } from 'vitest';
import { expectSuccess, figures, runBench, TEST_TIMEOUT_MS, useBenchHome } from '../helpers/bench-smoke.js';

// bench/file-opens.mjs (counted both ways) and bench/gates.mjs at their --smoke size, so that
// neither can rot. One of the files test/bench/smoke.test.ts names; test/helpers/bench-smoke.ts
// runs a script and reads its figures.

useBenchHome();

describe('bench scripts at their --smoke size', () => {
  // --smoke is --check: the run exits 1 when omk opens config.yml more than once or goal.json more
  // than 3 times. strace counts when it is on PATH; the second run keeps the fallback working.
  for (const method of ['auto', 'preload']) {
    it(
      `file-opens (--method ${method}): one goal run opens config.yml once and goal.json at most 3 times`,
      async () => {
        const run = await runBench('file-opens.mjs', ['--smoke', '--method', method]);
        expectSuccess(run);
        expect(run.stdout).toMatch(
          method === 'preload'
            ? /counted with the in-process preload/
            : /counted with (strace|the in-process)/,
        );
        const [config] = figures(run, /^\.omk\/config\.yml \(repository root\)\s+(\d+)/m);
        const [goal] = figures(run, /^goal\.json\s+(\d+)/m);
        const [events] = figures(run, /^events\.jsonl\s+(\d+)/m);
        // omk must read its config: zero would mean the counting saw nothing.
        expect(config).toBe(1);
        expect(goal).toBeLessThanOrEqual(3);
        expect(events).toBeGreaterThan(0);
      },
      TEST_TIMEOUT_MS,
    );
  }

  // --smoke checks too: the script exits 1 unless the gates ran once on the base per goal.
  it(
    "gates: the gate suite runs once on the base per goal, once per slice, and on the integration unless it is one slice's tree",
    async () => {
      const run = await runBench('gates.mjs', ['--smoke']);
      expectSuccess(run);
      const row = (slices: number) =>
        figures(run, new RegExp(`^${slices}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+$`, 'm'));
      // One slice: the integrated tree is the slice's (no preparation, nothing else in either
      // worktree), so its results are taken, not run again (gates/reuse.ts).
      expect(row(1)).toEqual([2, 1, 1, 0]);
      expect(row(2)).toEqual([4, 1, 2, 1]);
    },
    TEST_TIMEOUT_MS,
  );
});
