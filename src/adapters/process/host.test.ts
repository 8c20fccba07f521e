import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processHost } from './host.js';

describe('processHost', () => {
  it('kills a detached process group and then sees it gone', async () => {
    // Detached: the child leads its own group, as agents do.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    const pid = child.pid;
    if (pid === undefined) throw new Error('the test process did not start');
    const host = processHost();
    expect(host.isAlive(pid)).toBe(true);
    expect(host.killGroup(pid)).toBe(true);
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    expect(host.isAlive(pid)).toBe(false);
    expect(host.killGroup(pid)).toBe(false);
  });
});
