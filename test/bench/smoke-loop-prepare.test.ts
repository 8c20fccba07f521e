import { describe, expect, it } from 'vitest';
import { expectSuccess, figures, runBench, TEST_TIMEOUT_MS, useBenchHome } from '../helpers/bench-smoke.js';

// bench/loop.mjs and bench/prepare.mjs at their --smoke size, so that neither can rot: four
// until-ready goals, and a worktree's node_modules against `npm ci`. One of the files
// test/bench/smoke.test.ts names; test/helpers/bench-smoke.ts runs a script and reads its figures.

useBenchHome();

describe('bench scripts at their --smoke size', () => {
  it(
    'loop: agent runs and time to ready for a wrong-then-right agent, and the overhead per extra attempt',
    async () => {
      const run = await runBench('loop.mjs', ['--smoke']);
      expectSuccess(run);
      const [rightFirst, rightWall] = figures(run, /^right first time\s+(\d+)\s+([\d.]+)/m);
      const [once, onceWall] = figures(run, /^wrong 1×, then right\s+(\d+)\s+([\d.]+)/m);
      const [twice] = figures(run, /^wrong 2×, then right\s+(\d+)/m);
      const [reopened] = figures(run, /^target still failing 1×, then right\s+(\d+)/m);
      expect([rightFirst, once, twice, reopened]).toEqual([1, 2, 3, 2]);
      expect(rightWall).toBeGreaterThan(0);
      expect(onceWall).toBeGreaterThan(0);
      expect(run.stdout).toMatch(
        /^loop overhead per extra attempt: -?[\d.]+ s \(target < 1\.00 s: (met|not met)\)$/m,
      );
      expect(run.stdout).toMatch(
        /^loop overhead of the attempt reopened after the integration: -?[\d.]+ s$/m,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "prepare: a slice worktree gets the checkout's node_modules faster than npm ci",
    async () => {
      const run = await runBench('prepare.mjs', ['--smoke']);
      expectSuccess(run);
      const [install] = figures(run, /^npm ci --prefer-offline \(warm cache\)\s+([\d.]+)/m);
      const [first] = figures(run, /^omk: a goal's first worktree, cold cache \(copy\)\s+([\d.]+)/m);
      const [further] = figures(run, /^omk: each further worktree \(links\)\s+([\d.]+)/m);
      const [later] = figures(run, /^omk: a later goal's first worktree \(links\)\s+([\d.]+)/m);
      expect(install).toBeGreaterThan(0);
      expect(later).toBeGreaterThan(0);
      expect(later).toBeLessThan(install ?? 0);
      expect(first).toBeGreaterThan(0);
      expect(further).toBeGreaterThan(0);
      expect(further).toBeLessThan(install ?? 0);
    },
    TEST_TIMEOUT_MS,
  );
});
