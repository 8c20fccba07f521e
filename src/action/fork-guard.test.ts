import { describe, expect, it } from 'vitest';
import { pullRequestRepos } from '../adapters/actions-runner/github-env.js';
import { checkForkExecution } from './fork-guard.js';

function pr(head: string | null, base = 'acme/widgets') {
  return pullRequestRepos({
    pull_request: {
      head: { repo: head === null ? null : { full_name: head } },
      base: { repo: { full_name: base } },
    },
  });
}

describe('checkForkExecution', () => {
  it('refuses to execute a fork head under pull_request_target, saying why', () => {
    const check = checkForkExecution('pull_request_target', pr('mallory/widgets'), 'run', false);
    expect(check.refuse).toContain('Refusing to run under pull_request_target');
    expect(check.refuse).toContain('the fork mallory/widgets, not acme/widgets');
    expect(check.refuse).toContain('write token and secrets');
    expect(check.warn).toBeNull();
  });

  it('refuses a deleted fork and a payload it cannot read', () => {
    expect(checkForkExecution('pull_request_target', pr(null), 'execute', false).refuse).toContain(
      'a deleted fork',
    );
    expect(
      checkForkExecution('pull_request_target', pullRequestRepos({ action: 'opened' }), 'run', false).refuse,
    ).toContain('does not say where the PR head comes from');
    expect(checkForkExecution('pull_request_target', null, 'run', false).refuse).not.toBeNull();
  });

  it('lets an explicit opt-in through with a warning', () => {
    const check = checkForkExecution('pull_request_target', pr('mallory/widgets'), 'run', true);
    expect(check.refuse).toBeNull();
    expect(check.warn).toContain('allow-fork-execution is true');
  });

  it('allows a head from the base repository, other events, and commands that run no code', () => {
    const none = { refuse: null, warn: null };
    expect(checkForkExecution('pull_request_target', pr('acme/widgets'), 'run', false)).toEqual(none);
    expect(checkForkExecution('pull_request', pr('mallory/widgets'), 'run', false)).toEqual(none);
    expect(checkForkExecution(undefined, null, 'run', false)).toEqual(none);
    for (const command of ['plan', 'status', 'open-pr', 'merge'] as const) {
      expect(checkForkExecution('pull_request_target', pr('mallory/widgets'), command, false)).toEqual(none);
    }
  });
});
