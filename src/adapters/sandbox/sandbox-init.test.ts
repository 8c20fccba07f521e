import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessSpec } from '../../runtime/ports.js';
import { runProcess } from '../process/run-process.js';
import { createBubblewrap } from './bubblewrap.js';

// The sandbox's init (sandbox-init.ts) when omk stops a run, and when a process inside goes for it.
// Each run prints `ready` once it is set up; `watch` stops it then, as omk stops an agent.

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const token = `${process.pid}${Date.now() % 100_000}`;
let dir: string;
let available = false;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'omk-sandbox-init-')));
  available = (await createBubblewrap({ env: { PATH } }).probe()).available;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sandbox = () => createBubblewrap({ env: { PATH } }).runner(runProcess);

/** `script` run confined in the test's directory, stopped once it prints `ready`. */
function stoppedAtReady(script: string, killGraceMs = 2_000): ProcessSpec {
  return {
    argv: ['sh', '-c', script],
    cwd: dir,
    env: { PATH },
    timeoutMs: 60_000,
    killGraceMs,
    watch: (text) => (text.includes('ready') ? 'stopped by the test' : null),
    confine: { writable: [], readable: [] },
  };
}

describe('the sandbox init when omk stops the run', () => {
  it("passes the stop to the command's group, gives it the grace, and does not call its processes left", async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    const saved = join(dir, 'saved');
    // A worker that saves its work at SIGTERM, and a plain sleep: both in the command's group.
    const result = await sandbox()(
      stoppedAtReady(
        [
          `(trap 'echo saved > "${saved}"; exit 0' TERM; echo ready; sleep 30 & wait) &`,
          'sleep 31 &',
          'wait',
        ].join('\n'),
      ),
    );
    expect(result).toMatchObject({ stopped: 'stopped by the test', ended: [] });
    expect(await readFile(saved, 'utf8')).toBe('saved\n');
  });

  it('still names a process that left the group (setsid)', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    const up = join(dir, 'escaped-up');
    const result = await sandbox()(
      stoppedAtReady(
        [
          `setsid sh -c 'echo > "${up}"; exec sleep 300.${token}' > /dev/null 2>&1 < /dev/null &`,
          `until [ -e "${up}" ]; do sleep 0.01; done`,
          'sleep 30 &',
          'echo ready',
          'wait',
        ].join('\n'),
      ),
    );
    expect(result.stopped).toBe('stopped by the test');
    expect(result.ended).toEqual([
      {
        pid: expect.any(Number),
        command: expect.stringContaining(`300.${token}`),
        cwd: dir,
        endedBy: 'sandbox',
      },
    ]);
  });

  it('kills a group that ignores the stop at the grace, and still reports', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    const result = await sandbox()(
      stoppedAtReady(
        ['trap "" TERM', 'sleep 40 &', 'echo ready', 'while :; do sleep 0.05; done'].join('\n'),
        300,
      ),
    );
    // Read as it reads unconfined: ended by SIGKILL (not bwrap's 137).
    expect(result).toMatchObject({
      stopped: 'stopped by the test',
      exitCode: null,
      signal: 'SIGKILL',
      ended: [],
    });
  });
});

describe('a process in the sandbox that goes for its init', () => {
  it('cannot kill it (the init is pid 1): what it left is still named', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    // The init found as an agent would: the perl whose command line holds the command's.
    const result = await sandbox()({
      argv: [
        'sh',
        '-c',
        [
          'for p in /proc/[0-9]*; do',
          '  n=$(basename "$p")',
          `  if [ "$n" != $$ ] && tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q "perl -e .*hunt-${token}"; then`,
          '    kill -9 "$n" && echo "sent SIGKILL to $n"',
          '  fi',
          'done',
          `setsid sleep 301.${token} > /dev/null 2>&1 < /dev/null &`,
          'sleep 0.3',
          `: hunt-${token}`,
        ].join('\n'),
      ],
      cwd: dir,
      env: { PATH },
      timeoutMs: 60_000,
      confine: { writable: [], readable: [] },
    });
    expect(result.stdout).toContain('sent SIGKILL to 1');
    expect(result.exitCode).toBe(0);
    expect(result.ended).toEqual([
      { pid: expect.any(Number), command: `sleep 301.${token}`, cwd: dir, endedBy: 'sandbox' },
    ]);
  });

  it('cannot hide what its group left by stopping the run itself (SIGTERM to the init)', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    // A sleeper that ignores SIGTERM, in the command's group; the command then "stops" the run.
    const result = await sandbox()({
      argv: ['sh', '-c', [`trap '' TERM`, `sleep 303.${token} &`, 'kill -TERM 1', 'exit 0'].join('\n')],
      cwd: dir,
      env: { PATH },
      timeoutMs: 60_000,
      killGraceMs: 300,
      confine: { writable: [], readable: [] },
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.ended).toEqual([
      { pid: expect.any(Number), command: `sleep 303.${token}`, cwd: dir, endedBy: 'sandbox' },
    ]);
  });

  it('a report that does not complete is said, never taken for nothing left', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    // An init that runs the command and dies without its report, as one killed mid-run would.
    const fake = join(dir, 'fake-perl');
    await writeFile(fake, '#!/bin/sh\n# -e <script> -- <grace> <no bridge> <command>\nshift 5\nexec "$@"\n');
    await chmod(fake, 0o755);
    expect(existsSync(fake)).toBe(true);
    const result = await createBubblewrap({ env: { PATH }, perls: [fake] }).runner(runProcess)({
      argv: ['sh', '-c', 'echo ran'],
      cwd: dir,
      env: { PATH },
      timeoutMs: 60_000,
      confine: { writable: [], readable: [] },
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'ran\n' });
    expect(result.ended).toEqual([{ pid: 0, command: '', unreported: true, endedBy: 'sandbox' }]);
  });
});

describe('a stop that comes before the init is up', () => {
  it('an abort while bwrap still sets up ends the run promptly as a stop, nothing said left', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    // Aborted before the run: the stop comes while bwrap has not even made the namespace. Held
    // until the init is up, it may reach it just after it started the command (which then ends).
    const result = await sandbox()({
      argv: ['sh', '-c', 'sleep 30'],
      cwd: dir,
      env: { PATH },
      timeoutMs: 60_000,
      killGraceMs: 30_000,
      signal: AbortSignal.abort(),
      confine: { writable: [], readable: [] },
    });
    // A stop, read as one unconfined: nothing left and no "could not tell" entry, well before the
    // grace (a lost stop is only ended by the SIGKILL at the grace and a margin).
    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null, signal: 'SIGTERM' });
    expect(result.ended).toEqual([]);
    expect(result.durationMs).toBeLessThan(30_000);
  });

  it("a stop while the allow network's bridge starts ends it there, read as a stop", async () => {
    const probed = await createBubblewrap({ env: { PATH } }).probe();
    if (!probed.available || !probed.network.isolated) {
      // Reported, not skipped: no network namespace of its own here, so no bridge to start.
      console.warn(`the bridge's start was not exercised here: ${JSON.stringify(probed)}`);
      expect(probed.available && probed.network.isolated).toBe(false);
      return;
    }
    // A socat whose listener never answers: the bridge's start waits (its probe fails slowly).
    const bin = join(dir, 'slow-bridge-bin');
    const listening = join(dir, 'bridge-listening');
    const ran = join(dir, 'ran-after-bridge');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'socat'),
      [
        '#!/bin/sh',
        'case "$1" in',
        `  TCP-LISTEN:*) echo > "${listening}"; exec sleep 300 ;;`,
        '  *) sleep 1; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    await chmod(join(bin, 'socat'), 0o755);
    const env = { PATH: `${bin}:${PATH}` };
    const abort = new AbortController();
    const running = createBubblewrap({ env }).runner(runProcess)({
      argv: ['sh', '-c', `echo > "${ran}"; sleep 30`],
      cwd: dir,
      env,
      timeoutMs: 120_000,
      killGraceMs: 10_000,
      signal: abort.signal,
      confine: { writable: [], readable: [], network: 'allow', allowedHosts: ['localhost:1'] },
    });
    for (let waited = 0; !existsSync(listening) && waited < 60_000; waited += 20) await sleep(20);
    expect(existsSync(listening)).toBe(true);
    const stoppedAt = Date.now();
    abort.abort();
    const result = await running;
    // Well within the grace: a stop the bridge's shell dropped only ended at the grace and a margin.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(result).toMatchObject({ cancelled: true, exitCode: null, signal: 'SIGTERM' });
    expect(result.ended).toEqual([]);
    expect(existsSync(ran)).toBe(false);
  });
});

describe('how a stopped or signalled run reads', () => {
  it('the same confined as unconfined: ended by SIGTERM, not exit 143', async () => {
    if (!available) {
      expect(available).toBe(false);
      return;
    }
    const spec = stoppedAtReady('echo ready; sleep 30; echo not-stopped');
    const { confine: _, ...unconfinedSpec } = spec;
    const unconfined = await runProcess(unconfinedSpec);
    const confined = await sandbox()(spec);
    const reading = (r: typeof confined) => ({
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      cancelled: r.cancelled,
      stopped: r.stopped,
      ended: r.ended,
    });
    expect(reading(unconfined)).toEqual({
      exitCode: null,
      signal: 'SIGTERM',
      timedOut: false,
      cancelled: false,
      stopped: 'stopped by the test',
      ended: [],
    });
    expect(reading(confined)).toEqual(reading(unconfined));
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
