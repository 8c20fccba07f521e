import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { GOAL_ID_PATTERN } from '../../src/runtime/goal/ids.js';
import {
  type ActionEnv,
  type ActionRun,
  createActionEnv,
  inputVariable,
  NO_CI_CONFIG,
  ROOT,
  TOKEN,
} from './harness.js';

// @github/local-action runs the Action from its sources (src/action/main.ts, through tsx), with
// its own stand-in for @actions/core, the way an author debugs it on a workstation. Here it runs
// against the fake GitHub on loopback; npm is told to stay offline (its `npm exec tsx` finds the
// local tsx).
const LOCAL_ACTION = join(ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');

/** The step's bound: generous, a hang still fails (the hook allows a minute more for the set-up). */
const STEP_LIMIT_MS = 240_000;

let env: ActionEnv;
let run: ActionRun;

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG });
  // The runner's variables come from the environment the harness builds, as for dist/index.js;
  // the inputs go in local-action's dotenv file: it starts the Action through a shell (`npm exec
  // tsx`), which drops variables whose names hold a hyphen, such as INPUT_GITHUB-TOKEN.
  const inputs = { goal: DEMO_GOAL, agent: 'demo', policy: 'draft-pr', 'github-token': TOKEN };
  const dotenv = join(env.runnerTemp, 'local-action.env');
  await writeFile(
    dotenv,
    Object.entries(inputs)
      .map(([name, value]) => `${inputVariable(name)}=${JSON.stringify(value)}\n`)
      .join(''),
  );
  run = await env.run(
    inputs,
    { npm_config_offline: 'true', npm_config_update_notifier: 'false' },
    // local-action compiles the Action's sources (tsx) before it runs the goal: on a loaded machine
    // that alone took most of the step's default 120 s, and a step killed there left no outputs.
    { args: [LOCAL_ACTION, 'run', ROOT, 'src/action/main.ts', dotenv], cwd: ROOT, timeoutMs: STEP_LIMIT_MS },
  );
}, STEP_LIMIT_MS + 60_000);
afterAll(async () => {
  await env.cleanup();
});

/** The value of an output in local-action's "Action Outputs" table. */
function tableOutput(stdout: string, name: string): string | undefined {
  const after = stdout.slice(stdout.lastIndexOf('Action Outputs'));
  const row = after.split('\n').find((line) => line.includes(`'${name}'`));
  return row?.split('│')[3]?.trim().replace(/^'|'$/g, '');
}

describe('@github/local-action runs the Action from src/action/main.ts', () => {
  it('runs the goal to a ready proof and sets the outputs', () => {
    expect(run.stdout, run.stderr).toContain('Running Action');
    expect(run.stdout).not.toMatch(/::error::|\[error\]/i);
    expect(tableOutput(run.stdout, 'goal-id')).toMatch(GOAL_ID_PATTERN);
    expect(tableOutput(run.stdout, 'status')).toBe('ready');
  });

  it('opens the draft PRs on the fake GitHub', () => {
    const pulls = [...env.server.state.pulls.values()];
    expect(pulls.map((pull) => pull.draft)).toEqual([true, true, true]);
    expect(pulls.map((pull) => pull.head)).toContain(`omk/${tableOutput(run.stdout, 'goal-id')}/integration`);
  });

  it('never prints the token', () => {
    expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });
});
