import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { GOAL_KEY_EXAMPLE } from '../../src/action/wording.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, type ActionRun, createActionEnv, errorLines, separateJob } from './harness.js';

// Issue 15 leftover: the cells of one matrix job share GITHUB_RUN_ID, GITHUB_JOB and (here) the
// goal text, so they derive one goal id. With a goal-key each cell gets a goal of its own; without
// one, the cell that did not create the goal is refused, naming goal-key, before it runs anything.

let env: ActionEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

const PLAN = { command: 'plan', goal: DEMO_GOAL };
/** Two cells of one matrix job: one run attempt, a runner each. */
const CELL_A = { RUNNER_NAME: 'GitHub Actions 11' };
const CELL_B = { RUNNER_NAME: 'GitHub Actions 12' };

function goalsOnStateBranch(origin: string): string[] {
  const listing = execFileSync('git', ['ls-tree', '--name-only', 'refs/heads/omk/state', 'goals/'], {
    cwd: origin,
    encoding: 'utf8',
  });
  return listing
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^goals\//, ''));
}

const stateTip = (origin: string) =>
  execFileSync('git', ['rev-parse', 'refs/heads/omk/state'], { cwd: origin, encoding: 'utf8' }).trim();

function expectRefusedForGoalKey(run: ActionRun, goalId: string): void {
  expect(run.code, run.stdout.slice(-2000)).toBe(1);
  const error = errorLines(run).join('\n');
  expect(error).toContain(`goal-key: goal ${goalId} belongs to another job of this workflow run`);
  expect(error).toContain(GOAL_KEY_EXAMPLE);
  // Refused before planning: no agent ran, no slice listed.
  expect(run.outputs.slices).toBeUndefined();
}

describe('matrix cells with the same goal text', () => {
  it('with a goal-key each: a goal per cell, also when they run at once', async () => {
    env = await createActionEnv();
    const current = env;
    const [a, b] = await Promise.all([
      separateJob(current, { ...PLAN, 'goal-key': '0' }, CELL_A),
      separateJob(current, { ...PLAN, 'goal-key': '1' }, CELL_B),
    ]);
    expect(a.code, a.stdout.slice(-2000)).toBe(0);
    expect(b.code, b.stdout.slice(-2000)).toBe(0);
    const ids = [a.outputs['goal-id'], b.outputs['goal-id']];
    expect(new Set(ids).size).toBe(2);
    expect(goalsOnStateBranch(env.repo.origin).sort()).toEqual([...ids].sort());
    // A rerun of cell 1 (the next attempt) finds its own goal again, not cell 0's.
    const rerun = await separateJob(
      current,
      { ...PLAN, 'goal-key': '1' },
      { ...CELL_A, GITHUB_RUN_ATTEMPT: '2' },
    );
    expect(rerun.code, rerun.stdout.slice(-2000)).toBe(0);
    expect(rerun.outputs['goal-id']).toBe(b.outputs['goal-id']);
    expect(rerun.stdout).toContain('is on the state branch already');
  });

  it('without one: the cell that comes second is refused, naming goal-key, and changes nothing', async () => {
    env = await createActionEnv();
    const first = await separateJob(env, PLAN, CELL_A);
    expect(first.code, first.stdout.slice(-2000)).toBe(0);
    const goalId = first.outputs['goal-id'] ?? '';
    const tip = stateTip(env.repo.origin);
    const second = await separateJob(env, PLAN, CELL_B);
    expectRefusedForGoalKey(second, goalId);
    expect(stateTip(env.repo.origin)).toBe(tip);
    // A rerun (another attempt, on another runner) still continues the goal.
    const rerun = await separateJob(env, PLAN, { ...CELL_B, GITHUB_RUN_ATTEMPT: '2' });
    expect(rerun.code, rerun.stdout.slice(-2000)).toBe(0);
    expect(rerun.outputs['goal-id']).toBe(goalId);
    expect(goalsOnStateBranch(env.repo.origin)).toEqual([goalId]);
  });

  it('without one, at once: exactly one cell creates the goal, the other is refused', async () => {
    env = await createActionEnv();
    const runs = await Promise.all([separateJob(env, PLAN, CELL_A), separateJob(env, PLAN, CELL_B)]);
    const passed = runs.filter((run) => run.code === 0);
    expect(passed, runs.map((run) => run.stdout.slice(-1500)).join('\n----\n')).toHaveLength(1);
    const goalId = passed[0]?.outputs['goal-id'] ?? '';
    const refused = runs.find((run) => run.code !== 0);
    if (refused === undefined) throw new Error('unreachable: one run failed');
    expectRefusedForGoalKey(refused, goalId);
    expect(goalsOnStateBranch(env.repo.origin)).toEqual([goalId]);
  });
});
