import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv } from './harness.js';

// Issue 13: the Action's llm-planner and planner-token-budget inputs do what docs/action.md says
// (and what --no-llm-planner / --planner-token-budget do on the CLI): the fixture names the demo
// agent as planner.agent, so the agent planner plans unless the input turns it off.

let env: ActionEnv;

beforeAll(async () => {
  env = await createActionEnv({
    files: { '.omk/config.yml': `${DEMO_CONFIG['.omk/config.yml']}merge:\n  requireChecks: none\n` },
  });
});
afterAll(async () => {
  await env.cleanup();
});

/** A file of the goal's directory on the state branch, as the plan step pushed it. */
function stateFile(goalId: string, name: string): unknown {
  const text = execFileSync('git', ['show', `refs/heads/omk/state:goals/${goalId}/${name}`], {
    cwd: env.repo.origin,
    encoding: 'utf8',
  });
  return JSON.parse(text);
}

/** Each plan in a workflow run of its own: one run's steps with the same goal text share a goal. */
let workflowRuns = 0;

async function plan(inputs: Record<string, string>) {
  workflowRuns += 1;
  const run = await env.run(
    { command: 'plan', goal: DEMO_GOAL, policy: 'draft-pr', ...inputs },
    { GITHUB_RUN_ID: String(7100 + workflowRuns) },
  );
  expect(run.code, run.stdout.slice(-2000)).toBe(0);
  const goalId = run.outputs['goal-id'] ?? '';
  const goal = stateFile(goalId, 'goal.json') as { options: { planner: unknown } };
  const graph = stateFile(goalId, 'task-graph.json') as { planner: { name: string } };
  return { planner: goal.options.planner, plannedBy: graph.planner.name };
}

describe('the planner inputs', { timeout: 120_000 }, () => {
  it('plan with the agent by default, with the heuristic at llm-planner: false', async () => {
    expect(await plan({})).toEqual({ planner: { llm: true, tokenBudget: 8000 }, plannedBy: 'agent' });
    expect(await plan({ 'llm-planner': 'false', 'planner-token-budget': '2000' })).toEqual({
      planner: { llm: false, tokenBudget: 2000 },
      plannedBy: 'heuristic',
    });
  });
});
