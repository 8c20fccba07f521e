import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isOtherOmkProcess } from './omk-process.js';

// Whether a pid is another omk, by /proc: omk's own pid, its descendants (an agent it runs, and
// what that starts) and processes that are no omk never are; an omk process that is not its
// descendant (a second omk in another terminal) is. Linux only (the CI and this machine).

const OMK_BIN = fileURLToPath(new URL('../../../bin/omk.js', import.meta.url));
const SLEEP = 'setTimeout(() => {}, 120000)';
const started: number[] = [];
const made: string[] = [];

/** A package named `name` with a `bin/omk.js` that sleeps: another checkout of omk when named omk. */
function packageNamed(name: string): string {
  const root = mkdtempSync(join(tmpdir(), 'omk-other-checkout-'));
  made.push(root);
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '0.0.1' }));
  writeFileSync(join(root, 'bin', 'omk.js'), SLEEP);
  return join(root, 'bin', 'omk.js');
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

/** A process that outlives its parent shell, so it is no descendant of this one (init adopts it). */
async function orphan(args: readonly string[]): Promise<number> {
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
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
  return pid;
}

describe.runIf(process.platform === 'linux')('isOtherOmkProcess', () => {
  it('is never this process, pid 1, or a pid that is gone', () => {
    expect(isOtherOmkProcess(process.pid)).toBe(false);
    expect(isOtherOmkProcess(1)).toBe(false);
    expect(isOtherOmkProcess(999_999_999)).toBe(false);
  });

  it('is an omk process that is no descendant of this one, not one that is, nor a process that is no omk', async () => {
    const other = await orphan([process.execPath, '-e', SLEEP, OMK_BIN]);
    const notOmk = await orphan([process.execPath, '-e', SLEEP]);
    const child = spawn(process.execPath, ['-e', SLEEP, OMK_BIN], { stdio: 'ignore' });
    started.push(child.pid ?? 0);
    expect(isOtherOmkProcess(other)).toBe(true);
    expect(isOtherOmkProcess(notOmk)).toBe(false);
    expect(isOtherOmkProcess(child.pid ?? 0)).toBe(false);
  });

  it("is another checkout's omk sharing the state root (its package is omk), not a script of another package", async () => {
    // Seen: two omk checkouts running goals in one state root read each other's writes as
    // tampering (a correct fix was failed with six state_tampered findings).
    const otherCheckout = await orphan([process.execPath, packageNamed('omk')]);
    const notOmk = await orphan([process.execPath, packageNamed('omk-lookalike')]);
    expect(isOtherOmkProcess(otherCheckout)).toBe(true);
    expect(isOtherOmkProcess(notOmk)).toBe(false);
  });
});
