import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv, errorLines, ROOT, TOKEN } from './harness.js';
import { leaksOf, secretForms } from './secrets.js';

let env: ActionEnv;
beforeAll(async () => {
  env = await createActionEnv();
});
afterAll(async () => {
  await env.cleanup();
});

/** Fails with exit 1 and one ::error:: that names `input` and shows a correct `input: value`. */
async function expectInputError(inputs: Record<string, string>, input: string, example: RegExp) {
  const run = await env.run(inputs);
  expect(run.code, run.stdout).toBe(1);
  const errors = errorLines(run);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain(`${input}: `);
  expect(errors[0]).toMatch(example);
  expect(run.outputs).toEqual({});
  expect(leaksOf(run, secretForms(TOKEN))).toEqual([]);
  return errors[0] ?? '';
}

describe('bad inputs fail the step, naming the input with a correct example', () => {
  it('an unknown command', async () => {
    const error = await expectInputError(
      { command: 'deploy', goal: DEMO_GOAL },
      'command',
      /Example: command: run/,
    );
    expect(error).toContain("command: 'deploy' is not one of run, plan, execute");
  });

  it('max-agents: 0', async () => {
    const error = await expectInputError(
      { goal: DEMO_GOAL, 'max-agents': '0' },
      'max-agents',
      /Example: max-agents: 4/,
    );
    expect(error).toContain("max-agents: '0' must be a whole number from 1 to 64");
  });

  it('budget-time: 5x', async () => {
    const error = await expectInputError(
      { goal: DEMO_GOAL, 'budget-time': '5x' },
      'budget-time',
      /budget-time: 30m/,
    );
    expect(error).toContain("budget-time: '5x' is not a duration");
  });

  // A line break alone is a bad name too, never "not given" (the default omk/state would hide it).
  it.each([
    'main',
    'main\n',
    'main\r',
    '\n',
    ' \t ',
    'HEAD',
    'FETCH_HEAD',
    'refs/heads/main',
    'refs/remotes/origin/main',
  ])('state-branch: %j (goal state never lands on a branch of code)', async (value) => {
    const error = await expectInputError(
      { goal: DEMO_GOAL, 'state-branch': value },
      'state-branch',
      /Example: state-branch: omk\/state/,
    );
    expect(error).toContain('is not a branch name omk can use');
  });

  it('a workspace-setup line with shell quotes (omk never runs a shell)', async () => {
    const error = await expectInputError(
      { goal: DEMO_GOAL, 'workspace-setup': 'npm ci\nsh -c "make fixtures"' },
      'workspace-setup',
      /Example: workspace-setup: \|/,
    );
    expect(error).toContain(`workspace-setup: line 2 'sh -c "make fixtures"' has quotes or backslashes`);
  });

  // The bundle applies action.yml's own defaults to inputs given empty, from the text the build
  // embedded: a copy of dist/ with no action.yml beside it applies them as well.
  it('a goal given empty, and a command given empty, which is run by default', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'omk-dist-copy-'));
    try {
      await cp(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
      const launch = { args: [join(copy, 'dist', 'index.cjs')], cwd: copy };
      const run = await env.run({ command: '', goal: '' }, {}, launch);
      expect(run.code, run.stdout).toBe(1);
      expect(errorLines(run)).toEqual([expect.stringContaining('goal: required when command is run.')]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('a run without a goal', async () => {
    await expectInputError({ command: 'run' }, 'goal', /Example: goal: fix the failing test/);
  });

  it('a dry-run flag that is not a boolean', async () => {
    await expectInputError({ goal: DEMO_GOAL, 'dry-run': 'yes' }, 'dry-run', /Example: dry-run: true/);
  });

  it('a slice that is not in the plan', async () => {
    const plan = await env.run({ command: 'plan', goal: DEMO_GOAL });
    expect(plan.code, plan.stdout).toBe(0);
    const id = plan.outputs['goal-id'] ?? '';
    const first = (JSON.parse(plan.outputs.slices ?? '[]') as { slice: string }[])[0]?.slice ?? '';
    const error = await expectInputError(
      { command: 'execute', 'goal-id': id, slice: 'no-such-slice', agent: 'demo' },
      'slice',
      new RegExp(`Example: slice: ${first}`),
    );
    expect(error).toContain(`slice: 'no-such-slice' is not a slice of goal ${id}`);
  }, 60_000);

  it('reports every bad input at once', async () => {
    const run = await env.run({ command: 'deploy', 'max-agents': '0', 'budget-time': '5x' });
    const [error] = errorLines(run);
    expect(error).toContain('3 inputs are invalid');
    for (const input of ['command', 'max-agents', 'budget-time']) expect(error).toContain(`${input}: `);
  });
});
