import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, type ActionRun, createActionEnv } from './harness.js';
import { leaksOf, secretForms } from './secrets.js';

const CI_TOKEN = 'ghs_ci_token_for_pushes_0123456789';
const CI_LOGIN = 'omk-ci[bot]';

// With ci-token, omk's branches are pushed and its PRs opened by that identity (GitHub starts
// workflows for those); the check runs, labels and the state branch stay with github-token.
let env: ActionEnv;
let run: ActionRun;

beforeAll(async () => {
  env = await createActionEnv({ users: { [CI_TOKEN]: CI_LOGIN } });
  run = await env.run({ goal: DEMO_GOAL, agent: 'demo', policy: 'auto-pr', 'ci-token': CI_TOKEN });
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('the ci-token input', () => {
  it('opens the PRs and pushes their branches as the ci-token', () => {
    expect(run.code, run.stderr).toBe(0);
    const creates = env.server.requests.filter((r) => r.operationId === 'pulls/create');
    expect(creates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(creates.map((r) => r.login))).toEqual(new Set([CI_LOGIN]));
    const pushers = env.server.requests
      .filter((r) => r.kind === 'git' && r.method === 'POST' && r.path.endsWith('/git-receive-pack'))
      .map((r) => r.login);
    expect(pushers).toContain(CI_LOGIN);
    env.server.assertClean();
  });

  it('keeps check runs with github-token: omk/proof is created as GitHub Actions', () => {
    const checks = env.server.requests.filter((r) => r.operationId === 'checks/create');
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(new Set(checks.map((r) => r.login))).toEqual(new Set(['github-actions[bot]']));
    expect(new Set(env.server.state.checkRuns.map((r) => r.app.id))).toEqual(new Set([15368]));
  });

  it('masks the ci-token: it is in no log or output', () => {
    expect(run.stdout).toContain('::add-mask::');
    expect(leaksOf(run, secretForms(CI_TOKEN))).toEqual([]);
  });
});
