import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/helpers/longest-first-sequencer.js';

export default defineConfig({
  test: {
    // End-to-end tests run git, npm and omk processes against real repositories and the fake
    // GitHub; the slowest take about 26 s on an idle machine with two workers, so a loaded machine
    // needs room. A hang still fails, later.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // vitest runs one file at a time on a 2-core machine (cores - 1); most of a test's time here is
    // spent waiting on git and omk child processes, so more files at once finish the suite sooner:
    // on 2 cores the whole suite took 1,241 s with two workers and 902 s with three (same code).
    // Four were tried: nine e2e files (test/execution: interruptions, agent-failures, delivery-recheck,
    // waves, gates, settled-cleanup, fail-to-pass, budget, node-lint-debt) took 243 and 226 s with
    // three and 207 and 206 s with four, alternated at load 11-15; but the whole suite with four took
    // 1,094 s (4,125 s of worker time, against 2,939 s and 1,037 s wall with three in CI) and a
    // clock-bound test failed at that load, so three it stays.
    maxWorkers: Number(process.env.OMK_TEST_WORKERS ?? 3),
    // With no duration cache (a fresh CI clone) vitest starts the largest e2e files first, and the
    // 226 unit files fill the end; but some slow files are small (test/execution/node-vitest.test.ts,
    // 40 s in CI, is smaller than two thirds of the e2e files) and would start late and run alone
    // at the end. The sequencer starts the slowest of the last CI run first.
    sequence: { sequencer: LongestFirstSequencer },
    // The fake GitHub has no secondary rate limit: clients made inside the test process (the bot)
    // do not wait a second between writes. Child processes get it from the test helpers' env.
    env: { OMK_GITHUB_WRITE_INTERVAL_MS: '0' },
    projects: [
      {
        extends: true,
        test: {
          // Unit tests next to the code: pure functions and adapters on temp directories, no
          // global state a file leaves behind (the few that set process.env or spy put it back).
          // A fresh process per file cost about a second each (start, then importing the runtime
          // again) for files that mostly run in well under one: they share their workers.
          name: 'unit',
          include: ['src/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // End-to-end tests: each file in its own process, as before (fixtures, servers, bot
          // instances and child processes of one file never meet another's).
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // Subprocess tests run the bundled CLI, so dist/ is built once before them.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
