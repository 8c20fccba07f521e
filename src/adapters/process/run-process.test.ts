import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from './run-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-proc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const env = { PATH: process.env.PATH ?? '' };
const node = (code: string) => [process.execPath, '-e', code];

/** Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  it('runs argv without a shell, passes stdin, and logs output', async () => {
    const log = join(dir, 'out.log');
    const res = await runProcess({
      argv: node('process.stdin.pipe(process.stdout); console.error("err $(whoami)")'),
      cwd: dir,
      env,
      timeoutMs: 10_000,
      input: 'hello `id` $HOME',
      logPath: log,
    });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toBe('hello `id` $HOME');
    expect(res.tail).toContain('err $(whoami)');
    expect(await readFile(log, 'utf8')).toContain('hello `id` $HOME');
  });

  it('gives the child only the environment it is handed', async () => {
    const res = await runProcess({
      argv: node('console.log(JSON.stringify(Object.keys(process.env).sort()))'),
      cwd: dir,
      env: { PATH: env.PATH, ONLY_THIS: '1' },
      timeoutMs: 10_000,
    });
    expect(JSON.parse(res.stdout)).toEqual(['ONLY_THIS', 'PATH']);
  });

  it('kills the whole process tree on timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const res = await runProcess({
      argv: node(
        `const { spawn } = require('node:child_process');
         const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
         setInterval(() => {}, 1000);`,
      ),
      cwd: dir,
      env,
      timeoutMs: 500,
    });
    expect(res.timedOut).toBe(true);
    expect(res.exitCode).toBeNull();
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await alive(grandchild)).toBe(false);
  });

  it('sends SIGTERM first: a process that handles it cleans up before it ends', async () => {
    const flag = join(dir, 'cleaned');
    const res = await runProcess({
      argv: node(
        `process.on('SIGTERM', () => { require('node:fs').writeFileSync(${JSON.stringify(flag)}, 'saved'); process.exit(0); });
         process.stdout.write('ready'); setInterval(() => {}, 1000);`,
      ),
      cwd: dir,
      env,
      timeoutMs: 400,
    });
    expect(res.timedOut).toBe(true);
    expect(await readFile(flag, 'utf8')).toBe('saved');
  });

  it('SIGKILLs the group once the grace period is over, a child ignoring SIGTERM too', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const res = await runProcess({
      argv: node(
        `const { spawn } = require('node:child_process');
         const c = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
         require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
         process.on('SIGTERM', () => process.exit(0));
         setInterval(() => {}, 1000);`,
      ),
      cwd: dir,
      env,
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(res.timedOut).toBe(true);
    const stubborn = Number(await readFile(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await alive(stubborn)).toBe(false);
    expect(res.durationMs).toBeLessThan(5_000);
  });

  it('decodes UTF-8 across reads: a character split at a 64 KiB boundary stays whole', async () => {
    // The first write ends with the first byte of "€" (3 bytes); the rest comes 100 ms later, so
    // the parent reads them as two chunks.
    const res = await runProcess({
      argv: node(
        `const b = Buffer.concat([Buffer.alloc(65535, 'a'), Buffer.from('€ é 日本\\n')]);
         process.stdout.write(b.subarray(0, 65536));
         process.stderr.write(Buffer.from('日').subarray(0, 2));
         setTimeout(() => { process.stdout.write(b.subarray(65536)); process.stderr.write(Buffer.from('日').subarray(2)); }, 100);`,
      ),
      cwd: dir,
      env,
      timeoutMs: 10_000,
    });
    expect(res.exitCode).toBe(0);
    expect(res.stdout.slice(65535)).toBe('€ é 日本\n');
    expect(res.stdout).not.toContain('\uFFFD');
    expect(res.tail).toContain('日');
    expect(res.tail).not.toContain('\uFFFD');
  });

  it('stops on abort and reports it as cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const res = await runProcess({
      argv: node('setInterval(() => {}, 1000)'),
      cwd: dir,
      env,
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    expect(res.cancelled).toBe(true);
    expect(res.timedOut).toBe(false);
  });

  it('reports an executable that does not exist instead of throwing', async () => {
    const res = await runProcess({ argv: ['omk-no-such-binary-xyz'], cwd: dir, env, timeoutMs: 5_000 });
    expect(res.spawnError).toContain('ENOENT');
    expect(res.exitCode).not.toBe(0);
  });

  it('returns non-zero exit codes', async () => {
    const res = await runProcess({ argv: node('process.exit(3)'), cwd: dir, env, timeoutMs: 5_000 });
    expect(res.exitCode).toBe(3);
  });

  it('stops a command that prints nothing within silenceMs of starting', async () => {
    const started = Date.now();
    const res = await runProcess({
      argv: node('setTimeout(() => {}, 30_000)'),
      cwd: dir,
      env,
      timeoutMs: 20_000,
      silenceMs: 300,
    });
    expect(res.silent).toBe(true);
    expect(res.timedOut).toBe(false);
    expect(res.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('lets a command that printed something run past silenceMs', async () => {
    // sh prints within milliseconds of its start even on a loaded machine (node's own start-up
    // took more than 300 ms there), then stays quiet well past silenceMs.
    const res = await runProcess({
      argv: ['sh', '-c', "echo 'logging in…' >&2; sleep 2"],
      cwd: dir,
      env,
      timeoutMs: 20_000,
      silenceMs: 1_000,
    });
    expect(res.silent).toBe(false);
    expect(res.exitCode).toBe(0);
  });
});
