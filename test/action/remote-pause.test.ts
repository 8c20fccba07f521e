import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { processHost } from '../../src/cli/context.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';
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
  const store = new GoalStore({ stateRoot, clock: systemClock, host: processHost, reporter: silentReporter });
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

describe('a pause written to the state branch while the Action executes the goal', () => {
  it('stops the run, which keeps the pause when it saves the goal', async () => {
    const plan = await env.run({ command: 'plan', goal: DEMO_GOAL, agent: 'script:./tools/slow.sh' });
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    const goalId = plan.outputs['goal-id'] ?? '';

    const started = Date.now();
    const running = env.run(
      {
        command: 'execute',
        'goal-id': goalId,
        agent: 'script:./tools/slow.sh',
        'fail-on-not-ready': 'false',
      },
      { OMK_STATE_POLL_MS: '200' },
    );
    for (let i = 0; i < 600 && !existsSync(marker); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    await pauseOnStateBranch(goalId);

    const run = await running;
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    // Stopped by the pause, long before the agent's 60 s.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(run.stdout + run.summary).toContain('execution stopped (pause)');
    expect(await stateBranchStatus(goalId)).toBe('paused');
    expect([...env.server.state.pulls.values()]).toHaveLength(0);
  }, 120_000);

  it('stops a matrix job running one slice: the slice stays pending and the step passes with a note', async () => {
    await rm(marker, { force: true });
    const plan = await env.run({ command: 'plan', goal: DEMO_GOAL, agent: 'script:./tools/slow.sh' });
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    const goalId = plan.outputs['goal-id'] ?? '';
    const [first] = JSON.parse(plan.outputs.slices ?? '[]') as { slice: string }[];
    const slice = first?.slice ?? '';

    const started = Date.now();
    const running = env.run(
      { command: 'execute', 'goal-id': goalId, slice, agent: 'script:./tools/slow.sh' },
      { OMK_STATE_POLL_MS: '200' },
    );
    for (let i = 0; i < 600 && !existsSync(marker); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    await pauseOnStateBranch(goalId);

    const run = await running;
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(run.summary).toContain(`slice ${slice} stopped: the goal was paused`);
    expect(run.outputs.status).toBe('pending');
    expect(await stateBranchStatus(goalId)).toBe('paused');
  }, 120_000);
});
