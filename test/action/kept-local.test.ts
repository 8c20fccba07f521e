import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCKED_REPAIR_GOAL,
  blockedRepairFiles,
  refsHolding,
  refsWithPath,
  SLIPPED_KEY,
  type Slipped,
  WORKFLOW_PATH,
} from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

/**
 * With `ci-token`, what omk pushes starts the repository's CI, which runs the pushed commit's own
 * workflows with the repository's token and secrets. An integration repair agent that slips a
 * workflow file or a model key into the merged tree gets a blocking security finding: the
 * integration branch holding it is kept on the runner, never pushed (the clean slices' PRs still
 * open), and the run says so. Whole run and fan-out's integrate step alike.
 */
const CI_TOKEN = 'ghs_ci_token_for_pushes_0123456789';
const AGENT = 'script:./agent.mjs';

interface Attempt {
  env: ActionEnv;
  run: ActionRun;
}

async function fixture(slipped: Slipped): Promise<ActionEnv> {
  const { files, agent } = blockedRepairFiles(slipped);
  const env = await createActionEnv({
    files: { ...NO_CI_CONFIG, ...files },
    executables: agent,
    users: { [CI_TOKEN]: 'omk-ci[bot]' },
  });
  await chmod(join(env.repo.root, 'agent.mjs'), 0o755);
  return env;
}

async function wholeRun(slipped: Slipped): Promise<Attempt> {
  const env = await fixture(slipped);
  const run = await env.run({
    goal: BLOCKED_REPAIR_GOAL,
    agent: AGENT,
    policy: 'auto-pr',
    'merge-policy': 'gated',
    'until-ready': 'true',
    'ci-token': CI_TOKEN,
  });
  return { env, run };
}

/** plan, one execute job per slice, integrate: each a separate job with its own checkout. */
async function fanOut(slipped: Slipped): Promise<Attempt> {
  const env = await fixture(slipped);
  const common = { agent: AGENT, 'ci-token': CI_TOKEN };
  const plan = await separateJob(env, {
    ...common,
    command: 'plan',
    goal: BLOCKED_REPAIR_GOAL,
    policy: 'auto-pr',
    'merge-policy': 'gated',
  });
  expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
  const goalId = plan.outputs['goal-id'] ?? '';
  for (const { slice } of JSON.parse(plan.outputs.slices ?? '[]') as { slice: string }[]) {
    const run = await separateJob(env, { ...common, command: 'execute', 'goal-id': goalId, slice });
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
  }
  const run = await separateJob(env, { ...common, command: 'integrate', 'goal-id': goalId });
  return { env, run };
}

const CASES = {
  'a whole run whose repair adds a workflow': () => wholeRun('workflow'),
  'a whole run whose repair writes a model key in .env': () => wholeRun('key'),
  "fan-out's integrate step whose repair adds a workflow": () => fanOut('workflow'),
} as const;
type Case = keyof typeof CASES;
const attempts = new Map<Case, Attempt>();
const attempt = (name: Case): Attempt => {
  const found = attempts.get(name);
  if (found === undefined) throw new Error(`no attempt for ${name}`);
  return found;
};

beforeAll(async () => {
  const names = Object.keys(CASES) as Case[];
  const done = await Promise.all(names.map(async (name) => [name, await CASES[name]()] as const));
  for (const [name, result] of done) attempts.set(name, result);
}, 400_000);
afterAll(async () => {
  await Promise.all([...attempts.values()].map((a) => a.env.cleanup()));
});

describe.each(Object.keys(CASES) as Case[])('%s (ci-token)', (name) => {
  it('repairs the merged tree, and the goal is not ready on the blocking finding', () => {
    const { run } = attempt(name);
    expect(run.stdout, run.stdout.slice(-3000)).toContain('[integration] repaired on attempt 1');
    expect(run.outputs.status).toBe('not_ready');
    expect(run.outputs.merged).not.toBe('true');
  });

  it('keeps the integration branch on the runner and says so; the clean slices are delivered', () => {
    const { env, run } = attempt(name);
    const goalId = run.outputs['goal-id'] ?? '';
    const branch = `omk/${goalId}/integration`;
    expect(run.stdout).toMatch(
      new RegExp(
        `::warning::kept ${branch} on this machine, not pushed: its head holds a change the security review blocks`,
      ),
    );
    expect(git(env.repo.origin, 'branch', '--list', branch)).toBe('');
    const heads = [...env.server.state.pulls.values()].map((pull) => pull.head).sort();
    expect(heads).toEqual([
      `omk/${goalId}/s1-update-readme-md`,
      `omk/${goalId}/s2-fix-the-bug-in-src-math-js`,
    ]);
  });

  it('pushed no ref that holds what the repair slipped in', () => {
    const { env } = attempt(name);
    if (name.includes('model key')) expect(refsHolding(env.repo.origin, SLIPPED_KEY)).toEqual([]);
    else expect(refsWithPath(env.repo.origin, WORKFLOW_PATH)).toEqual([]);
  });
});
