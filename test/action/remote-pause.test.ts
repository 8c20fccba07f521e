import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { type ActionEnv, createActionEnv } from './harness.js';

let env: ActionEnv;
let marker: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'omk-remote-pause-'));
  marker = join(dir, 'agent-started');
  // The agent says it started (outside the repository), then works for longer than the test waits.
  const agent = `#!/bin/sh\ntouch '${marker}'\nsleep 60\n`;
  env = await createActionEnv({ executables: { 'tools/slow.sh': agent } });
});
afterAll(async () => {
  await env.cleanup();
});

/** Someone else (the bot, another run) pauses the goal on the state branch, from their own clone. */
async function pauseOnStateBranch(goalId: string): Promise<void> {
  const dir = await mkdtemp(join(env.runnerTemp, 'bot-'));
  const clone = join(dir, 'clone');
  execFileSync('git', ['clone', '--quiet', env.repo.origin, clone]);
  const stateRoot = join(dir, 'state');
  const remote = createGitStateBranch({ repoRoot: clone, stateRoot });
  await remote.pull(goalId);
  const store = localGoalStore(stateRoot);
  await applyLifecycle(store, goalId, 'pause');
  await remote.push(goalId, `pause goal ${goalId}`);
}

async function stateBranchStatus(goalId: string): Promise<string> {
  const text = execFileSync('git', ['show', `refs/heads/omk/state:goals/${goalId}/goal.json`], {
    cwd: env.repo.origin,
    encoding: 'utf8',
  });
  return (JSON.parse(text) as { status: string }).status;
}

function stateBranchEvents(goalId: string): { seq: number; type: string }[] {
  const text = execFileSync('git', ['show', `refs/heads/omk/state:goals/${goalId}/events.jsonl`], {
    cwd: env.repo.origin,
    encoding: 'utf8',
  });
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { seq: number; type: string });
}

/** Each test's plan runs in a workflow run of its own, so each plans a goal of its own. */
let workflowRuns = 0;

/** Plans the demo goal with the slow agent; returns its id and its slices. */
async function plan(): Promise<{ goalId: string; slices: { slice: string }[] }> {
  await rm(marker, { force: true });
  workflowRuns += 1;
  // The slow agent only executes; the heuristic plans (a planning run would sleep too).
  const planned = await env.run(
    { command: 'plan', goal: DEMO_GOAL, agent: 'script:./tools/slow.sh', 'llm-planner': 'false' },
    { GITHUB_RUN_ID: String(7200 + workflowRuns) },
  );
  expect(planned.code, planned.stdout.slice(-2000)).toBe(0);
  return {
    goalId: planned.outputs['goal-id'] ?? '',
    slices: JSON.parse(planned.outputs.slices ?? '[]') as { slice: string }[],
  };
}

/** Runs an execute step, pauses the goal on the state branch once its agent runs, and waits for it. */
async function executePausedMidway(goalId: string, inputs: Record<string, string>) {
  const started = Date.now();
  const running = env.run(
    { command: 'execute', 'goal-id': goalId, agent: 'script:./tools/slow.sh', ...inputs },
    { OMK_STATE_POLL_MS: '200' },
  );
  for (let i = 0; i < 600 && !existsSync(marker); i += 1) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(marker)).toBe(true);
  await pauseOnStateBranch(goalId);
  const run = await running;
  return { run, elapsedMs: Date.now() - started };
}

describe('a pause written to the state branch while the Action executes the goal', () => {
  it('stops the run, which keeps the pause when it saves the goal', async () => {
    const { goalId } = await plan();
    const { run, elapsedMs } = await executePausedMidway(goalId, { 'fail-on-not-ready': 'false' });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    // Stopped by the pause, long before the agent's 60 s.
    expect(elapsedMs).toBeLessThan(45_000);
    expect(run.stdout + run.summary).toContain('execution stopped (pause)');
    expect(await stateBranchStatus(goalId)).toBe('paused');
    expect([...env.server.state.pulls.values()]).toHaveLength(0);
    // The bot's own goal_paused event is kept (once) and the job's run is recorded after it.
    const events = stateBranchEvents(goalId);
    expect(events.filter((e) => e.type === 'goal_paused')).toHaveLength(1);
    const paused = events.findIndex((e) => e.type === 'goal_paused');
    expect(events.findIndex((e) => e.type === 'execution_interrupted')).toBeGreaterThan(paused);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 120_000);

  it('stops a matrix job running one slice: the slice stays pending and the step passes with a note', async () => {
    const { goalId, slices } = await plan();
    const slice = slices[0]?.slice ?? '';
    const { run, elapsedMs } = await executePausedMidway(goalId, { slice });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(elapsedMs).toBeLessThan(45_000);
    expect(run.summary).toContain(`slice ${slice} stopped: the goal was paused`);
    expect(run.outputs.status).toBe('pending');
    expect(await stateBranchStatus(goalId)).toBe('paused');
  }, 120_000);
});
