import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionsCore, guardCommands } from './core.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('guardCommands: agent and gate output never drives the runner', () => {
  it('pauses workflow commands around text that could hold one, with a fresh token', () => {
    const planted = 'ok 1 - parse\n::error file=src/a.js::pwned\n::add-mask::x\n::stop-commands::x';
    const guarded = guardCommands(planted, () => 'a1b2-c3d4');
    expect(guarded).toBe(`::stop-commands::a1b2c3d4\n${planted}\n::a1b2c3d4::`);
    const lines = guarded.split('\n');
    // Inside the pause, the only line that ends it is the token's own, which comes last.
    expect(lines.filter((line) => line === '::a1b2c3d4::')).toEqual(['::a1b2c3d4::']);
    expect(lines.at(-1)).toBe('::a1b2c3d4::');
    const [one, two] = [guardCommands('::x'), guardCommands('::x')];
    expect(one.split('\n')[0]).not.toBe(two.split('\n')[0]);
  });

  it('leaves text without a command marker as it is', () => {
    expect(guardCommands('omk: [s1] done: 1 file(s) changed')).toBe('omk: [s1] done: 1 file(s) changed');
  });

  it('is what the real core prints for info', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    actionsCore().info('gate output:\n::error::pwned');
    const out = written.join('');
    expect(out).toMatch(/^::stop-commands::[0-9a-f]{32}\ngate output:\n::error::pwned\n::[0-9a-f]{32}::\n$/);
  });
});
