import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests run git, npm and omk processes against real repositories and the fake
    // GitHub; the slowest take about 26 s on an idle machine with two workers, so a loaded machine
    // needs room. A hang still fails, later.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // vitest runs one file at a time on a 2-core machine (cores - 1); most of a test's time here is
    // spent waiting on git and omk child processes, so two files at once finish the suite sooner.
    maxWorkers: Number(process.env.OMK_TEST_WORKERS ?? 2),
    // The fake GitHub has no secondary rate limit: clients made inside the test process (the bot)
    // do not wait a second between writes. Child processes get it from the test helpers' env.
    env: { OMK_GITHUB_WRITE_INTERVAL_MS: '0' },
  },
});
