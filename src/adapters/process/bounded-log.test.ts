import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/errors.js';
import { logMaxBytesFromEnv } from '../execution-host.js';
import { BoundedLog } from './bounded-log.js';
import { runProcess } from './run-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const end = (log: BoundedLog) => new Promise<void>((resolve) => log.end(resolve));

describe('BoundedLog', () => {
  it('keeps output under the limit whole, with no note', async () => {
    const path = join(dir, 'small.log');
    const log = new BoundedLog(path, 100);
    log.write(Buffer.from('hello '));
    log.write(Buffer.from('world\n'));
    await end(log);
    expect(await readFile(path, 'utf8')).toBe('hello world\n');
  });

  it('keeps the head and the tail of output over the limit and records the cut between them', async () => {
    const path = join(dir, 'big.log');
    const log = new BoundedLog(path, 1000);
    log.write(Buffer.from('START\n'));
    for (let i = 0; i < 1000; i++) log.write(Buffer.from(`line ${String(i).padStart(4, '0')}\n`));
    log.write(Buffer.from('END\n'));
    await end(log);
    const text = await readFile(path, 'utf8');
    const total = 6 + 1000 * 10 + 4;
    expect(text.startsWith('START\nline 0000\n')).toBe(true);
    expect(text.endsWith('line 0999\nEND\n')).toBe(true);
    expect(text).toContain(
      `[omk: ${total - 1000} bytes of output cut here; the process printed ${total} bytes`,
    );
    const note = text.split('\n').find((l) => l.startsWith('[omk:')) ?? '';
    expect(Buffer.byteLength(text)).toBe(1000 + Buffer.byteLength(note) + 2);
  });

  it('refuses a limit it cannot honour', () => {
    expect(() => new BoundedLog(join(dir, 'x.log'), 1)).toThrow(RangeError);
  });
});

describe('a process that prints far more than its log keeps', () => {
  it('leaves a log of about the limit, head and tail kept, however much it printed', async () => {
    const path = join(dir, 'agent.log');
    const code = "process.stdout.write('FIRST\\n' + 'x'.repeat(3_000_000) + '\\nLAST\\n')";
    const res = await runProcess({
      argv: [process.execPath, '-e', code],
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 30_000,
      logPath: path,
      logMaxBytes: 64 * 1024,
    });
    expect(res.exitCode).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('FIRST\n')).toBe(true);
    expect(text.endsWith('\nLAST\n')).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024 + 300);
    expect(text).toContain('bytes of output cut here');
  });

  it('takes its limit from OMK_LOG_MAX_BYTES, refusing a value that is not a whole number of bytes', () => {
    expect(logMaxBytesFromEnv({})).toBeUndefined();
    expect(logMaxBytesFromEnv({ OMK_LOG_MAX_BYTES: '1048576' })).toBe(1_048_576);
    for (const bad of ['10', '1e6', '-5', 'lots', '1.5']) {
      expect(() => logMaxBytesFromEnv({ OMK_LOG_MAX_BYTES: bad })).toThrow(ConfigError);
    }
  });
});
