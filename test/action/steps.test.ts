import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv, errorLines } from './harness.js';

let env: ActionEnv;
let goalId = '';
let slices: { slice: string; title: string; wave: number }[] = [];

/** Each step in its own RUNNER_TEMP, as in separate jobs: the goal travels on the state branch. */
async function job(inputs: Record<string, string>) {
  const runnerTemp = await mkdtemp(join(env.runnerTemp, 'job-'));
  return env.run(inputs, { RUNNER_TEMP: runnerTemp });
}

beforeAll(async () => {
  env = await createActionEnv();
});
afterAll(async () => {
  await env.cleanup();
});

describe('a goal across steps and jobs, through the state branch', () => {
  it('plan: creates the goal and lists its slices by wave for a matrix', async () => {
    const run = await job({ command: 'plan', goal: DEMO_GOAL });
    expect(run.code, run.stdout).toBe(0);
    goalId = run.outputs['goal-id'] ?? '';
    slices = JSON.parse(run.outputs.slices ?? '[]') as typeof slices;
    expect(slices).toEqual([
      { slice: expect.stringMatching(/^s1-/), title: 'Fix the failing test in src/math.js', wave: 0 },
      { slice: expect.stringMatching(/^s2-/), title: 'Add a regression test', wave: 1 },
    ]);
    expect(run.outputs.status).toBe('not_ready');
    expect(run.summary).toContain('### Slices by wave');
    // policy: draft-pr (the default) delivers through the remote: no warning about local branches.
    expect(run.stdout).not.toContain('policy: local');
  });

  it('status in another job reads the goal from the state branch; not ready fails unless told', async () => {
    const strict = await job({ command: 'status', 'goal-id': goalId });
    expect(strict.code).toBe(1);
    expect(errorLines(strict)[0]).toContain(`The proof of goal ${goalId} is not ready`);
    expect(errorLines(strict)[0]).toContain('fail-on-not-ready: false');
    expect(strict.outputs['goal-id']).toBe(goalId);
    const lenient = await job({ command: 'status', 'goal-id': goalId, 'fail-on-not-ready': 'false' });
    expect(lenient.code, lenient.stdout).toBe(0);
    const slice = await job({ command: 'status', 'goal-id': goalId, slice: slices[0]?.slice ?? '' });
    expect(slice.code, slice.stdout).toBe(0);
    expect(slice.outputs.status).toBe('pending');
  });

  it('a goal-id that is not on the state branch names the input', async () => {
    const run = await job({ command: 'status', 'goal-id': 'no-such-goal-000000' });
    expect(run.code).toBe(1);
    expect(errorLines(run)[0]).toContain(
      "goal-id: there is no goal 'no-such-goal-000000' on the state branch omk/state",
    );
  });

  it('execute with a slice whose dependency is not done yet refuses, naming the waves', async () => {
    const run = await job({
      command: 'execute',
      'goal-id': goalId,
      slice: slices[1]?.slice ?? '',
      agent: 'demo',
    });
    expect(run.code).toBe(1);
    expect(errorLines(run)[0]).toContain(`depends on ${slices[0]?.slice}, which is not done yet`);
    const stray = await job({ command: 'execute', 'goal-id': goalId, slice: 's9-nope', agent: 'demo' });
    expect(stray.code).toBe(1);
    expect(errorLines(stray)[0]).toContain("slice: 's9-nope' is not a slice of goal");
  });

  it('execute runs the whole goal in one job and opens draft PRs (policy draft-pr)', async () => {
    const run = await job({ command: 'execute', 'goal-id': goalId, agent: 'demo' });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.outputs.status).toBe('ready');
    expect(run.outputs.merged).toBe('false');
    const pulls = [...env.server.state.pulls.values()];
    expect(pulls).toHaveLength(3);
    expect(pulls.every((pull) => pull.draft)).toBe(true);
    expect(run.summary).toContain('merge policy is disabled');
  }, 120_000);

  it('open-pr with dry-run shows the PRs in the summary and changes nothing', async () => {
    // No API call at all, and no push (the state branch is only fetched).
    const touches = () =>
      env.server.count() + env.server.requests.filter((r) => r.path.endsWith('/git-receive-pack')).length;
    const before = touches();
    const run = await job({ command: 'open-pr', 'goal-id': goalId, policy: 'auto-pr', 'dry-run': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain('### Dry run: 3 pull request(s) open-pr would open or update');
    expect(run.summary).toContain(`\`omk/${goalId}/integration\``);
    expect(touches()).toBe(before);
  });

  it('merge refuses a goal whose merge-policy is disabled, and says why', async () => {
    const run = await job({ command: 'merge', 'goal-id': goalId });
    expect(run.code).toBe(1);
    expect(errorLines(run)[0]).toMatch(
      new RegExp(`Goal ${goalId} was not merged: PR #3 is blocked by policy`),
    );
    expect(run.outputs.merged).toBe('false');
    // The verdict is part of the goal's progress: the next step's summary still says it.
    const verdict = '- ⛔ merge blocked by policy (PR \\#3): merge policy is disabled';
    expect(run.summary.split(verdict)).toHaveLength(2);
    const status = await job({ command: 'status', 'goal-id': goalId });
    expect(status.code, status.stdout).toBe(0);
    expect(status.summary).toContain(verdict);
    env.server.assertClean();
  });
});
