import { describe, expect, it } from 'vitest';
import { forkExecution } from './fork-execution.js';

const fork = { head: 'mallory/widgets', base: 'acme/widgets' };
const ask = (
  repos: { head: string | null; base: string } | null,
  extra: Partial<Parameters<typeof forkExecution>[0]> = {},
) => forkExecution({ privileged: true, executes: true, repos, allowForkExecution: false, ...extra });

describe('forkExecution', () => {
  it("refuses to run a fork's head, a deleted fork's, or one the event does not name, under a privileged event", () => {
    expect(ask(fork)).toEqual({ kind: 'refused', repos: fork });
    expect(ask({ head: null, base: 'acme/widgets' })).toEqual({
      kind: 'refused',
      repos: { head: null, base: 'acme/widgets' },
    });
    expect(ask(null)).toEqual({ kind: 'refused', repos: null });
  });

  it('runs it when the workflow opts in, saying so', () => {
    expect(ask(fork, { allowForkExecution: true })).toEqual({ kind: 'opted_in', repos: fork });
    expect(ask(null, { allowForkExecution: true })).toEqual({ kind: 'opted_in', repos: null });
  });

  it("allows the base repository's own head, other events, and steps that run no code", () => {
    expect(ask({ head: 'acme/widgets', base: 'acme/widgets' })).toEqual({ kind: 'allowed' });
    expect(ask(fork, { privileged: false })).toEqual({ kind: 'allowed' });
    expect(ask(fork, { executes: false })).toEqual({ kind: 'allowed' });
  });
});
