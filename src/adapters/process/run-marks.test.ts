import { mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessSpec } from '../../runtime/ports.js';
import { endLeftovers, endStrays } from '../integrity/processes.js';
import { createRunMarks, RUN_MARK } from './run-marks.js';
import { runProcess } from './run-process.js';

let dir: string;
let worktree: string;
let elsewhere: string;
const started: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-marks-'));
  worktree = join(dir, 'worktree');
  elsewhere = join(dir, 'other');
  await mkdir(worktree);
  await mkdir(elsewhere);
});
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended by the test, as it should be.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

const spec = (cwd: string, script: string): ProcessSpec => ({
  argv: ['sh', '-c', script],
  cwd,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  timeoutMs: 60_000,
});

/** Runs a marked command that leaves a process in a session of its own, out in `/`; its pid. */
async function leaveEscapee(marks: ReturnType<typeof createRunMarks>, cwd: string): Promise<number> {
  const pidFile = join(dir, `escapee-${started.length}.pid`);
  const result = await marks.runner(runProcess)(
    spec(
      cwd,
      `setsid sh -c 'cd /; echo $$ > ${pidFile}; exec sleep 300' </dev/null >/dev/null 2>&1 & while [ ! -s ${pidFile} ]; do sleep 0.02; done`,
    ),
  );
  expect(result.exitCode).toBe(0);
  const pid = Number(await readFile(pidFile, 'utf8'));
  started.push(pid);
  return pid;
}

describe('run marks', () => {
  it('name the ended run a process environment carries, and nothing for a running, unknown or missing mark', async () => {
    const marks = createRunMarks('n0nce');
    let seen = '';
    const inner = async (s: ProcessSpec) => {
      seen = s.env[RUN_MARK] ?? '';
      // While the run goes on, its mark is not a leftover's.
      expect(marks.endedRun(`A=1\0${RUN_MARK}=${seen}\0`)).toBeNull();
      return runProcess(s);
    };
    await marks.runner(inner)(spec(worktree, 'true'));
    expect(seen).toBe('n0nce.1');
    expect(marks.endedRun(`A=1\0${RUN_MARK}=n0nce.1\0B=2`)).toBe(await realpath(worktree));
    expect(marks.endedRun(`${RUN_MARK}=other.1\0`)).toBeNull();
    expect(marks.endedRun(`${RUN_MARK}=n0nce.2\0`)).toBeNull();
    expect(marks.endedRun('PATH=/bin\0')).toBeNull();
  });
});

describe('processes a marked run left out of its worktree', () => {
  it('are ended by the scan of the worktree the run started in, not by that of another', async () => {
    const marks = createRunMarks();
    const pid = await leaveEscapee(marks, worktree);
    expect(await endStrays(elsewhere, { marks })).toEqual({ checked: true, killed: [] });
    // Found by directory alone, it would not be: it runs in /.
    expect(await endStrays(worktree)).toEqual({ checked: true, killed: [] });
    const scan = await endStrays(worktree, { marks });
    expect(scan).toEqual({
      checked: true,
      // Its shell, or the sleep it became; found by its mark, not where it runs (so not said to be
      // in the worktree).
      killed: [{ pid, command: expect.stringMatching(/^(sleep 300|sh -c cd \/)/), inWorktree: false }],
    });
  });

  it("are ended by the last scan of the places their run started in, and another omk's are left alone", async () => {
    const marks = createRunMarks();
    const other = createRunMarks();
    const mine = await leaveEscapee(marks, worktree);
    const theirs = await leaveEscapee(other, elsewhere);
    // Another goal's places: not this scan's.
    expect(await endLeftovers(marks, [elsewhere])).toEqual({ checked: true, killed: [] });
    const scan = await endLeftovers(marks, [dir]);
    expect(scan.checked && scan.killed.map((stray) => stray.pid)).toEqual([mine]);
    const again = await endLeftovers(other, [dir]);
    expect(again.checked && again.killed.map((stray) => stray.pid)).toEqual([theirs]);
  });
});
