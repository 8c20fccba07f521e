import { describe, expect, it } from 'vitest';
import { expectSuccess, figures, runBench, TEST_TIMEOUT_MS, useBenchHome } from '../helpers/bench-smoke.js';

// Every script under bench/ at its --smoke size, so that none can rot: each must exit 0 and print
// the figures that show it measured something (test/helpers/bench-smoke.ts runs it and reads them).
// This file holds the scripts that take a few seconds each; those running whole goals are in
// smoke-delivery, smoke-execution, smoke-loop-prepare and smoke-opens-gates (.test.ts), split so
// that the suite's workers share them instead of one worker running all of them one after another.

useBenchHome();

describe('bench scripts at their --smoke size', () => {
  it(
    'action-startup: times the first line and the exit of dist/index.cjs, and dist/post.js',
    async () => {
      const run = await runBench('action-startup.mjs', ['--smoke']);
      expectSuccess(run);
      const [first] = figures(run, /^dist\/index\.cjs: first line \(::add-mask::\)\s+([\d.]+)/m);
      const [exit] = figures(run, /^dist\/index\.cjs: exit \(input error\)\s+([\d.]+)/m);
      const [post] = figures(run, /^dist\/post\.js: first line \(post step\)\s+([\d.]+)/m);
      const [bytes] = figures(run, /^bundle: .* = (\d+) B/m);
      expect(first).toBeGreaterThan(0);
      expect(exit).toBeGreaterThan(0);
      expect(post).toBeGreaterThan(0);
      expect(bytes).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'events: times replay, proof and status on a goal of 100 events',
    async () => {
      const run = await runBench('events.mjs', ['--smoke']);
      expectSuccess(run);
      expect(figures(run, /^omk goal events benchmark: (\d+) events, (\d+) runs each/m)).toEqual([100, 1]);
      for (const command of [
        'goal replay --json',
        'goal replay',
        'goal proof --json',
        'goal status --json',
      ]) {
        const [median] = figures(run, new RegExp(`^${command}\\s+([\\d.]+)`, 'm'));
        expect(median, command).toBeGreaterThan(0);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'state-checks: times the state checks around one agent run, and a forged event is reported',
    async () => {
      const run = await runBench('state-checks.mjs', ['--smoke']);
      expectSuccess(run);
      expect(
        figures(run, /^omk state-checks benchmark: (\d+) events, (\d+) other goals, (\d+) runs/m),
      ).toEqual([50, 2, 2]);
      const [median] = figures(run, /^checks around one agent run\s+([\d.]+)/m);
      expect(median).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bot-load: every delivery answered 2xx, every comment one job',
    async () => {
      const run = await runBench('bot-load.mjs', ['--smoke']);
      expectSuccess(run);
      const [sent, unique, redelivered, answered, p50] = figures(
        run,
        /^\S+\/s × \S+s\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)/m,
      );
      expect(sent).toBe(20);
      expect(Number(unique) + Number(redelivered)).toBe(sent);
      expect(answered).toBe(sent);
      expect(p50).toBeGreaterThan(0);
      const [jobs] = figures(run, /^jobs (\d+) \(lost 0, run twice 0\)/m);
      expect(jobs).toBe(unique);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'watch: omk goal watch on 8 running slices redraws in place and exits 4 when the goal is cancelled',
    async () => {
      const run = await runBench('watch.mjs', ['--smoke']);
      expectSuccess(run);
      const [slices, redraws, perSecond] = figures(
        run,
        /^8 running, interval \d+ ms\s+(\d+)\s+[\d.]+\s+(\d+)\s+([\d.]+)/m,
      );
      expect(slices).toBe(8);
      expect(redraws).toBeGreaterThan(1);
      expect(perSecond).toBeGreaterThan(0);
      expect(run.stdout).toMatch(/^CPU of one core while watching: ([\d.]+%|n\/a)/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'subreaper: what running a command under the subreaper adds, with its exit code passed through',
    async () => {
      const ran = await runBench('subreaper.mjs', ['--smoke']);
      expectSuccess(ran);
      // This bench writes its table where it writes its progress (stderr).
      const run = { ...ran, stdout: `${ran.stdout}${ran.stderr}` };
      expect(run.stdout).toMatch(/^subreaper: \S+ \(prctl \d+\); 2 runs each/m);
      for (const command of ['true', 'sh -c "exit 3"', 'node -e 0']) {
        const escaped = command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const [direct, underSubreaper] = figures(
          run,
          new RegExp(`^${escaped}\\s+([\\d.]+)\\s+([\\d.]+)`, 'm'),
        );
        expect(direct).toBeGreaterThan(0);
        expect(underSubreaper).toBeGreaterThan(0);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'run-git: what the config read adds before a guarded git call',
    async () => {
      const run = await runBench('run-git.mjs', ['--smoke']);
      expectSuccess(run);
      for (const command of [
        'rev-parse HEAD',
        'status --porcelain',
        'ls-remote origin (token)',
        'pull --ff-only (token)',
      ]) {
        const escaped = command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const [direct, guarded] = figures(
          run,
          new RegExp(`^${escaped}\\s+[a-z, ]+?\\s+([\\d.]+)\\s+([\\d.]+)`, 'm'),
        );
        expect(direct).toBeGreaterThan(0);
        expect(guarded).toBeGreaterThan(0);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'pr-body: fits huge slice and integrator bodies under the limit, the same body each render',
    async () => {
      const run = await runBench('pr-body.mjs', ['--smoke']);
      expectSuccess(run);
      expect(figures(run, /^omk PR body benchmark: (\d+) renders each/m)).toEqual([1]);
      for (const body of ['slice, 10,000 changed files', 'integrator, 500 gaps + 200 failures + 1 MB goal']) {
        const escaped = body.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const [median, characters] = figures(
          run,
          new RegExp(`^${escaped}\\s+([\\d.]+)\\s+[\\d.]+\\s+(\\d+)\\s+[0-9a-f]{12}$`, 'm'),
        );
        expect(median, body).toBeGreaterThan(0);
        expect(characters, body).toBeLessThanOrEqual(65_536);
      }
    },
    TEST_TIMEOUT_MS,
  );

  // --smoke plans the six cases no other test plans; test/plan/code-search.test.ts plans the rest.
  it(
    'plan: every goal naming a symbol defined in one file gets that file in a write set',
    async () => {
      const run = await runBench('plan.mjs', ['--smoke']);
      expectSuccess(run);
      const [recall, precision, whole, cases, found, named] = figures(
        run,
        /^summary: recall ([\d.]+), precision ([\d.]+), whole repository (\d+) of (\d+), named symbol found (\d+) of (\d+)/m,
      );
      expect(cases).toBeGreaterThan(0);
      expect(found).toBe(named);
      expect(recall).toBe(1);
      expect(precision).toBe(1);
      // Only the goals naming a symbol or a word that nothing defines get the whole repository.
      expect(whole).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );
});
