import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv, errorLines, webhookExample } from './harness.js';

let env: ActionEnv;

/** The pull_request.opened example, turned into a PR from a fork of acme/widgets. */
async function forkPullRequest(): Promise<Record<string, unknown>> {
  const payload = await webhookExample('pull_request', 'opened');
  const pr = payload.pull_request as {
    head: { repo: Record<string, unknown> };
    base: { repo: Record<string, unknown> };
  };
  pr.base.repo = { ...pr.base.repo, full_name: 'acme/widgets', name: 'widgets', fork: false };
  pr.head.repo = { ...pr.head.repo, full_name: 'mallory/widgets', name: 'widgets', fork: true };
  return payload;
}

beforeAll(async () => {
  env = await createActionEnv({ event: { name: 'pull_request_target', payload: await forkPullRequest() } });
});
afterAll(async () => {
  await env.cleanup();
});

describe('pull_request_target from a fork', () => {
  it("refuses to run agents and gates on the fork's code, and says why and how to opt in", async () => {
    const run = await env.run({ goal: DEMO_GOAL, agent: 'demo' });
    expect(run.code).toBe(1);
    const [error] = errorLines(run);
    expect(error).toContain('Refusing to run under pull_request_target');
    expect(error).toContain('the fork mallory/widgets');
    expect(error).toContain('write token and secrets');
    expect(error).toContain('allow-fork-execution: true');
    // Nothing happened: no goal saved, no PR opened.
    expect(() => git(env.repo.origin, 'rev-parse', '--verify', '--quiet', 'refs/heads/omk/state')).toThrow();
    expect(env.server.state.pulls.size).toBe(0);
    expect(env.server.count()).toBe(0);
  });

  it('still allows commands that run no repository code', async () => {
    const run = await env.run({ command: 'plan', goal: DEMO_GOAL });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['goal-id']).not.toBe('');
  });
});
