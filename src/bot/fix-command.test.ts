import { describe, expect, it } from 'vitest';
import { requiredAccess } from '../runtime/app/index.js';
import { parseCommandLine } from './command.js';

describe('/omk goal fix', () => {
  it('takes the change asked for as its text, and needs write access', () => {
    const parsed = parseCommandLine('/omk goal fix "rename x to total" please', 'abc');
    expect(parsed).toEqual({ ok: true, command: { kind: 'fix', text: 'rename x to total please' } });
    if (parsed.ok) expect(requiredAccess(parsed.command)).toBe('write');
  });

  it('answers a fix without text, or with an option, with its usage', () => {
    const empty = parseCommandLine('/omk goal fix', 'abc');
    expect(empty).toEqual({ ok: false, problem: 'Say what to change, in quotes after fix.', topic: 'fix' });
    const flag = parseCommandLine('/omk goal fix "x" --goal g-1', 'abc');
    expect(flag.ok).toBe(false);
    if (!flag.ok) expect(flag.problem).toContain('Unknown option --goal.');
  });

  it('refuses a request longer than 8,000 characters', () => {
    const long = parseCommandLine(`/omk goal fix "${'x'.repeat(8_001)}"`, 'abc');
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.problem).toContain('8001 characters; at most 8000');
  });
});
