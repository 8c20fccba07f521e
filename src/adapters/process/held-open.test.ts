import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdOpen, otherOmkHolding } from './held-open.js';

// Who holds a goal's directory open, by /proc: another omk process that does is named whatever
// any file says; this process, one of its descendants, and a process that is no omk never are.
// Linux only (the CI and this machine).

const OMK_BIN = fileURLToPath(new URL('../../../bin/omk.js', import.meta.url));
const started: number[] = [];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-held-'));
});
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** A process holding `dir` open, detached from this one (init adopts it), with `args` on its command line. */
async function holder(args: readonly string[]): Promise<number> {
  const script = `require("node:fs").openSync(process.argv[1], "r"); require("node:fs").writeFileSync(process.argv[1] + "/.ready-" + process.pid, ""); setTimeout(() => {}, 120000)`;
  const quoted = [process.execPath, '-e', script, dir, ...args].map((arg) => `'${arg}'`).join(' ');
  const shell = spawn('sh', ['-c', `${quoted} >/dev/null 2>&1 & echo $!`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  shell.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await new Promise((resolve) => shell.on('close', resolve));
  const pid = Number(out.trim());
  started.push(pid);
  for (let tries = 0; tries < 200 && !existsSync(join(dir, `.ready-${pid}`)); tries++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return pid;
}

describe.runIf(process.platform === 'linux')('otherOmkHolding', () => {
  it('is null while no process but this one holds the directory', async () => {
    expect(otherOmkHolding(dir)).toBeNull();
    const release = await holdOpen(dir);
    expect(otherOmkHolding(dir)).toBeNull();
    await release();
  });

  it('names another omk process that holds it, not a process that is no omk', async () => {
    const notOmk = await holder([]);
    expect(notOmk).toBeGreaterThan(1);
    expect(otherOmkHolding(dir)).toBeNull();
    const omk = await holder([OMK_BIN]);
    expect(otherOmkHolding(dir)).toBe(omk);
    process.kill(omk, 'SIGKILL');
    // Once it is gone (its descriptors close as it dies), nobody holds the directory.
    for (let tries = 0; tries < 200 && otherOmkHolding(dir) !== null; tries++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(otherOmkHolding(dir)).toBeNull();
  });
});
