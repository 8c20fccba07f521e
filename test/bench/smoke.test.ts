import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every script under bench/ at its --smoke size, so that none can rot: each must exit 0 and print
// the figures that show it measured something. The scripts run the built CLI (bin/ and dist/),
// which test/global-setup.ts builds before the suite. They run one after another (one file), each
// in a few seconds (bench/api-calls.mjs too: under --smoke its CLI runs do not space their writes
// to the fake GitHub).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_TIMEOUT_MS = 120_000;
/** A bench still running after this is killed (its whole process group), so its output is shown. */
const KILL_AFTER_MS = TEST_TIMEOUT_MS - 10_000;

interface BenchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let home: string;

beforeAll(async () => {
  // A HOME of its own: the user's git and npm configuration must not change what the benches do.
  home = await mkdtemp(join(tmpdir(), 'omk-bench-smoke-home-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** `node bench/<script> <args>` from the repository root; resolves when it exits or is killed. */
function runBench(script: string, args: readonly string[]): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join('bench', script), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        // The benches' script agents keep counters outside their worktree: unconfined.
        OMK_SANDBOX: 'off',
        ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      },
      // Its own process group, so a hung bench is killed with its children (omk runs, the bot app).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n[smoke test: killed after ${KILL_AFTER_MS} ms]\n`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`bench/${script} ${args.join(' ')}: ${seconds} s\n`);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Exit 0, with what the bench said when it did not. */
function expectSuccess(run: BenchRun): void {
  const output = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.signal, output).toBeNull();
  expect(run.code, output).toBe(0);
}

/** The numbers a pattern captures in the bench's output; fails when the line is not there. */
function figures(run: BenchRun, pattern: RegExp): number[] {
  const match = pattern.exec(run.stdout);
  expect(match, `no line matching ${pattern} in:\n${run.stdout}`).not.toBeNull();
  return (match ?? []).slice(1).map(Number);
}

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

  // --smoke checks too: the script exits 1 unless the gates ran once on the base per goal.
  it(
    'gates: the gate suite runs once on the base per goal, once per slice, once on the integration',
    async () => {
      const run = await runBench('gates.mjs', ['--smoke']);
      expectSuccess(run);
      const [oneTotal, oneBase, oneSlices] = figures(run, /^1\s+(\d+)\s+(\d+)\s+(\d+)\s+1\s+\d+$/m);
      const [twoTotal, twoBase, twoSlices] = figures(run, /^2\s+(\d+)\s+(\d+)\s+(\d+)\s+1\s+\d+$/m);
      expect([oneTotal, oneBase, oneSlices]).toEqual([3, 1, 1]);
      expect([twoTotal, twoBase, twoSlices]).toEqual([4, 1, 2]);
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

  it(
    'goal-run: one goal run starts at most 56 git processes',
    async () => {
      const run = await runBench('goal-run.mjs', ['--smoke']);
      expectSuccess(run);
      const [git] = figures(run, /^this build\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\S+\s+\d+\s+(\d+)/m);
      expect(git).toBeGreaterThan(0);
      expect(git).toBeLessThanOrEqual(56);
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
