import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runningWithArgv } from '../../../test/helpers/agents.js';
import { killedOnTheWayOut, threadOutlivesItsLeader } from '../../../test/helpers/ending-processes.js';
import { runProcess, runProcessWith } from './run-process.js';
import { probeSubreaper } from './subreaper.js';

// Linux (CI and this project's hosts): the subreaper is there, and these tests say what it does.

let dir: string;
let marker: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-reaper-'));
  marker = `omk-escapee-${process.pid}-${Math.random().toString(36).slice(2)}`;
});
afterEach(async () => {
  for (const pid of await runningWithArgv(marker)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});
const env = { PATH: process.env.PATH ?? '' };

/**
 * A shell line leaving an escapee: double-forked, `setsid`, `env -i` (no omk mark), `cd /`; it writes
 * its pid, then appends to `target` for as long as it lives. The line waits until it is out.
 */
function leaveEscapee(pidFile: string, target: string): string {
  const body = `cd /; echo $$ > ${pidFile}; while :; do echo patched >> ${target}; sleep 0.05; done`;
  return [
    `( env -i /usr/bin/setsid /bin/sh -c '${body}' ${marker} </dev/null >/dev/null 2>&1 & )`,
    `while [ ! -s ${pidFile} ]; do sleep 0.02; done`,
  ].join('; ');
}

async function waitUntil(what: string, condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the subreaper', () => {
  it('is available on this Linux host, and says why not elsewhere', async () => {
    const here = await probeSubreaper();
    expect(here.available).toBe(true);
    const mac = await probeSubreaper({ platform: 'darwin', arch: 'arm64', perls: ['/usr/bin/perl'] });
    expect(mac).toMatchObject({ available: false, reason: expect.stringMatching(/Linux only/) });
    const bare = await probeSubreaper({ platform: 'linux', arch: 'x64', perls: [join(dir, 'perl')] });
    expect(bare).toMatchObject({ available: false, reason: `no perl at ${join(dir, 'perl')}` });
    const odd = await probeSubreaper({ platform: 'linux', arch: 'mips', perls: ['/usr/bin/perl'] });
    expect(odd).toMatchObject({
      available: false,
      reason: expect.stringMatching(/prctl syscall number of mips/),
    });
  });

  it('ends an escapee (double fork, setsid, env -i, cd /) when the command ends, and reports it', async () => {
    const pidFile = join(dir, 'escapee.pid');
    const target = join(dir, 'target');
    const res = await runProcess({
      argv: ['sh', '-c', `${leaveEscapee(pidFile, target)}; echo done; exit 3`],
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    expect(res.exitCode).toBe(3);
    expect(res.signal).toBeNull();
    expect(res.stdout).toBe('done\n');
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(await runningWithArgv(marker)).toEqual([]);
    expect(res.ended?.map((p) => p.pid)).toContain(pid);
  });

  it('does not report a child the command killed on its way out, still ending (a large heap)', async () => {
    // Seen as the command ends, it has no command line or directory left in /proc: it is being
    // torn down, and runs no code of its own. Each of three runs, not one lucky one.
    for (const run of [1, 2, 3]) {
      const ready = join(dir, `ready-${run}`);
      const res = await runProcess({
        argv: ['sh', '-c', `${killedOnTheWayOut(ready)}; exit 0`],
        cwd: dir,
        env,
        timeoutMs: 30_000,
      });
      expect(res.exitCode).toBe(0);
      expect(res.ended).toEqual([]);
    }
  });

  it('reports a child whose first thread ended while another runs on (not a zombie)', async () => {
    const pidFile = join(dir, 'child.pid');
    const res = await runProcess({
      argv: ['sh', '-c', `${threadOutlivesItsLeader(pidFile)}\nexit 0`],
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(res.ended?.map((p) => p.pid)).toEqual([pid]);
    await waitUntil('the child to be gone', async () =>
      readFile(`/proc/${pid}/stat`).then(
        () => false,
        () => true,
      ),
    );
  });

  it('without it, the same escapee lives on (the control: what the test above would see)', async () => {
    const pidFile = join(dir, 'escapee.pid');
    const res = await runProcessWith(
      { argv: ['sh', '-c', leaveEscapee(pidFile, join(dir, 'target'))], cwd: dir, env, timeoutMs: 30_000 },
      null,
    );
    expect(res.exitCode).toBe(0);
    expect(res.ended).toBeUndefined();
    expect(await runningWithArgv(marker)).toEqual([Number(await readFile(pidFile, 'utf8'))]);
  });

  it('passes the exit code and the signal through exactly, and stdin and stderr', async () => {
    const code = await runProcess({ argv: ['sh', '-c', 'exit 255'], cwd: dir, env, timeoutMs: 30_000 });
    expect([code.exitCode, code.signal]).toEqual([255, null]);
    const killed = await runProcess({
      argv: ['sh', '-c', 'kill -USR1 $$'],
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    expect([killed.exitCode, killed.signal]).toEqual([null, 'SIGUSR1']);
    const piped = await runProcess({
      argv: ['sh', '-c', 'cat; echo oops >&2'],
      cwd: dir,
      env,
      input: 'in and out',
      timeoutMs: 30_000,
    });
    expect(piped.stdout).toBe('in and out');
    expect(piped.tail).toContain('oops');
    expect(piped.ended).toEqual([]);
  });

  it('still says a missing command cannot start, as spawn does', async () => {
    const res = await runProcess({ argv: ['omk-no-such-command'], cwd: dir, env, timeoutMs: 30_000 });
    expect(res).toMatchObject({ spawnError: 'spawn omk-no-such-command ENOENT', exitCode: null });
    const script = join(dir, 'not-executable.sh');
    await writeFile(script, 'echo hi\n');
    expect((await runProcess({ argv: [script], cwd: dir, env, timeoutMs: 30_000 })).spawnError).toBe(
      `spawn ${script} EACCES`,
    );
    const nowhere = await runProcess({ argv: ['true'], cwd: join(dir, 'gone'), env, timeoutMs: 30_000 });
    expect(nowhere.spawnError).toMatch(/^spawn true ENOENT/);
    // A command that runs and exits 127 itself is not a spawn error.
    const exited = await runProcess({ argv: ['sh', '-c', 'exit 127'], cwd: dir, env, timeoutMs: 30_000 });
    expect(exited).toMatchObject({ spawnError: null, exitCode: 127 });
  });

  it('passes omk’s SIGTERM on to the command’s process group (omk signals the subreaper only)', async () => {
    const controller = new AbortController();
    const ready = join(dir, 'ready');
    const run = runProcess({
      argv: ['sh', '-c', `trap "echo got-term; exit 7" TERM; touch ${ready}; while :; do sleep 0.05; done`],
      cwd: dir,
      env,
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await waitUntil('the command to be ready', async () => (await readdir(dir)).includes('ready'));
    controller.abort();
    const res = await run;
    expect(res.cancelled).toBe(true);
    expect(res.exitCode).toBe(7);
    expect(res.stdout).toContain('got-term');
  });

  it('on a stop, does not report what of the command’s group is still ending from the stop signal', async () => {
    // A member of the command's group that takes a while to end on SIGTERM (a test runner's worker
    // saving its work): the command ends at once, the member is still ending. It was stopped with
    // the command, not left by it. An escapee (not in the group) is still reported.
    const pidFile = join(dir, 'escapee.pid');
    const ready = join(dir, 'ready');
    const worker = `sh -c 'trap "sleep 0.4; exit 0" TERM; while :; do sleep 0.07; done' ${marker}-worker &`;
    const controller = new AbortController();
    const run = runProcess({
      argv: [
        'sh',
        '-c',
        `${worker} ${leaveEscapee(pidFile, join(dir, 'target'))}; touch ${ready}; exec sleep 60`,
      ],
      cwd: dir,
      env,
      timeoutMs: 60_000,
      killGraceMs: 5_000,
      signal: controller.signal,
    });
    await waitUntil('the command to be ready', async () => (await readdir(dir)).includes('ready'));
    controller.abort();
    const res = await run;
    expect(res.cancelled).toBe(true);
    // The escapee is reported (and what it was running when it was ended); nothing of the group is.
    expect(res.ended?.map((p) => p.pid)).toContain(Number(await readFile(pidFile, 'utf8')));
    const commands = res.ended?.map((p) => p.command) ?? [];
    expect(commands.filter((command) => /worker|sleep 0\.(4|07)/.test(command))).toEqual([]);
    expect(await runningWithArgv(marker)).toEqual([]);
  });

  it('on a timeout, ends the command that ignores SIGTERM and its escapee, within the grace', async () => {
    const pidFile = join(dir, 'escapee.pid');
    const res = await runProcess({
      argv: [
        'sh',
        '-c',
        `trap '' TERM; ${leaveEscapee(pidFile, join(dir, 'target'))}; while :; do sleep 0.05; done`,
      ],
      cwd: dir,
      env,
      timeoutMs: 1_000,
      killGraceMs: 500,
    });
    expect(res.timedOut).toBe(true);
    expect(res.signal).toBe('SIGKILL');
    expect(await runningWithArgv(marker)).toEqual([]);
    expect(res.ended?.map((p) => p.pid)).toContain(Number(await readFile(pidFile, 'utf8')));
    // The subreaper's own grace, not omk's late backstop, ended it (generous for a loaded host).
    expect(res.durationMs).toBeLessThan(1_000 + 500 * 2 + 4_000);
  });
});
