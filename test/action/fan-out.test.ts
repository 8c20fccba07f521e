import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

let env: ActionEnv;

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG });
});
afterAll(async () => {
  await env.cleanup();
});

/** A separate job: its own checkout of the repository and its own RUNNER_TEMP. */
const job = (inputs: Record<string, string>) => separateJob(env, inputs);

describe('fan-out: plan → one execute job per slice → integrate, sharing only the state branch', () => {
  it('reaches a ready proof, opens the PRs and merges, each slice run once on its own runner', async () => {
    const plan = await job({
      command: 'plan',
      goal: DEMO_GOAL,
      agent: 'demo',
      policy: 'auto-pr',
      'merge-policy': 'gated',
    });
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    const goalId = plan.outputs['goal-id'] ?? '';
    const slices = JSON.parse(plan.outputs.slices ?? '[]') as { slice: string; wave: number }[];
    expect(slices.map((s) => s.wave)).toEqual([0, 1]);

    for (const { slice } of slices) {
      const run = await job({ command: 'execute', 'goal-id': goalId, slice, agent: 'demo' });
      expect(run.code, run.stdout.slice(-3000)).toBe(0);
      expect(run.outputs['goal-id']).toBe(goalId);
    }
    // A rerun of a finished slice's job (a retried matrix job) runs nothing.
    const again = await job({
      command: 'execute',
      'goal-id': goalId,
      slice: slices[0]?.slice ?? '',
      agent: 'demo',
    });
    expect(again.code).toBe(0);
    expect(again.summary).toContain('was already done');

    const integrate = await job({ command: 'integrate', 'goal-id': goalId, agent: 'demo' });
    expect(integrate.code, integrate.stdout.slice(-3000)).toBe(0);
    expect(integrate.outputs.status).toBe('ready');
    expect(integrate.outputs.merged).toBe('true');
    const proof = JSON.parse(integrate.outputs['proof-json'] ?? '{}') as {
      agentRuns: { taskId: string }[];
      slices: { id: string; status: string }[];
      delivery: { merge: { sha: string } | null };
    };
    expect(proof.agentRuns.map((run) => run.taskId)).toEqual(slices.map((s) => s.slice));
    expect(proof.slices.every((slice) => slice.status === 'done')).toBe(true);
    expect([...env.server.state.pulls.values()]).toHaveLength(3);
    const main = execFileSync('git', ['rev-parse', 'refs/heads/main'], {
      cwd: env.repo.origin,
      encoding: 'utf8',
    }).trim();
    expect(proof.delivery.merge?.sha).toBe(main);
    env.server.assertClean();
  }, 180_000);
});
