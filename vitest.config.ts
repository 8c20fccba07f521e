import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest runs one file at a time on a 2-core machine (cores - 1); most of a test's time here is
    // spent waiting on git and omk child processes, so two files at once finish the suite sooner.
    maxWorkers: Number(process.env.OMK_TEST_WORKERS ?? 2),
  },
});
