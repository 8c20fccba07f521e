import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';

// Runs a script under bench/ at its --smoke size and reads the figures it printed
// (test/bench/smoke*.test.ts). The scripts run the built CLI (bin/ and dist/), which
// test/global-setup.ts builds before the suite.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_TIMEOUT_MS = 120_000;
/** A bench still running after this is killed (its whole process group), so its output is shown. */
const KILL_AFTER_MS = TEST_TIMEOUT_MS - 10_000;

export interface BenchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let home: string | undefined;

/**
 * A HOME of the test file's own (beforeAll), removed after it: the user's git and npm
 * configuration must not change what the benches do.
 */
export function useBenchHome(): void {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'omk-bench-smoke-home-'));
  });
  afterAll(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true });
    home = undefined;
  });
}

/** `node bench/<script> <args>` from the repository root; resolves when it exits or is killed. */
export function runBench(script: string, args: readonly string[]): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    if (home === undefined) {
      reject(new Error('runBench: call useBenchHome() in the test file first'));
      return;
    }
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
export function expectSuccess(run: BenchRun): void {
  const output = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.signal, output).toBeNull();
  expect(run.code, output).toBe(0);
}

/** The numbers a pattern captures in the bench's output; fails when the line is not there. */
export function figures(run: BenchRun, pattern: RegExp): number[] {
  const match = pattern.exec(run.stdout);
  expect(match, `no line matching ${pattern} in:\n${run.stdout}`).not.toBeNull();
  return (match ?? []).slice(1).map(Number);
}
