import { mkdtempSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { refsWithPath } from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

// A goal the workflow created to change its CI workflow (allow-workflow-edits) keeps the branches
// holding the change on the runner until a person accepts it; the runner's repository is gone by
// the time they do. So the branches' new commits travel with the goal on the state branch, as git
// bundles (a blob there runs no workflow): a later job's accept restores them, checked against
// the heads the goal's evidence records, pushes them and opens the PRs; a forged bundle is refused.

const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
const GOAL = `fix the failing test in src/math.js and move the CI workflow ${WORKFLOW} to node-version 22`;
const WRITER = 'octo-dev';

const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
const edit = (path, from, to) => writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
if (process.env.OMK_TASK_ID.includes('workflow')) edit(${JSON.stringify(WORKFLOW)}, 'node-version: 20', 'node-version: 22');
else edit('src/math.js', 'return a - b;', 'return a + b;');
`;

interface Started {
  env: ActionEnv;
  goalId: string;
  run: ActionRun;
}

const started: Started[] = [];

/** Job 1: the goal runs, its workflow change kept on this runner (and saved with the goal). */
async function startGoal(): Promise<Started> {
  const env = await createActionEnv({
    files: { ...NO_CI_CONFIG, [WORKFLOW]: BASE_WORKFLOW },
    executables: { 'agent.mjs': AGENT },
  });
  env.server.setPermission(WRITER, 'write');
  const run = await env.run(
    {
      goal: GOAL,
      agent: 'script:./agent.mjs',
      'llm-planner': 'false',
      'allow-workflow-edits': 'true',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      'fail-on-not-ready': 'false',
    },
    { GITHUB_RUN_ID: '7411' },
  );
  const found = { env, goalId: run.outputs['goal-id'] ?? '', run };
  started.push(found);
  return found;
}

/** The same goal in fan-out: plan, one execute job per slice, integrate, each on a runner of its own. */
async function fanOutGoal(): Promise<Started> {
  const env = await createActionEnv({
    files: { ...NO_CI_CONFIG, [WORKFLOW]: BASE_WORKFLOW },
    executables: { 'agent.mjs': AGENT },
  });
  env.server.setPermission(WRITER, 'write');
  const common = { agent: 'script:./agent.mjs' };
  const plan = await separateJob(env, {
    ...common,
    command: 'plan',
    goal: GOAL,
    'llm-planner': 'false',
    'allow-workflow-edits': 'true',
    policy: 'auto-pr',
    'merge-policy': 'gated',
  });
  const goalId = plan.outputs['goal-id'] ?? '';
  const slices = JSON.parse(plan.outputs.slices ?? '[]') as { slice: string }[];
  for (const { slice } of slices) {
    const run = await separateJob(env, { ...common, command: 'execute', 'goal-id': goalId, slice });
    if (run.code !== 0) throw new Error(run.stdout.slice(-3000));
  }
  const run = await separateJob(env, {
    ...common,
    command: 'integrate',
    'goal-id': goalId,
    'fail-on-not-ready': 'false',
  });
  const found = { env, goalId, run };
  started.push(found);
  return found;
}

const stateFiles = (env: ActionEnv, goalId: string) =>
  git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state', '--', `goals/${goalId}/`)
    .split('\n')
    .filter(Boolean)
    .map((path) => path.slice(`goals/${goalId}/`.length));
const stateFile = (env: ActionEnv, goalId: string, name: string) =>
  git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/${name}`);
/** The refs of the repository whose workflow file holds the goal's change (a push of one runs it). */
const refsWithChange = (env: ActionEnv) =>
  refsWithPath(env.repo.origin, WORKFLOW).filter((ref) =>
    git(env.repo.origin, 'show', `${ref}:${WORKFLOW}`).includes('node-version: 22'),
  );
/** The heads of the PRs that hold the workflow change: the workflow slice's and the integrator. */
const keptPulls = (env: ActionEnv, goalId: string) =>
  [...env.server.state.pulls.values()].filter(
    (pull) => pull.head.startsWith(`omk/${goalId}/s2-`) || pull.head === `omk/${goalId}/integration`,
  );
const mainWorkflow = (env: ActionEnv) => git(env.repo.origin, 'show', `main:${WORKFLOW}`);
const accept = (env: ActionEnv, goalId: string) =>
  separateJob(
    env,
    { command: 'accept', 'goal-id': goalId, summary: 'read the workflow: it only moves to Node 22' },
    { GITHUB_ACTOR: WRITER },
  );

let good: Started;
let forged: Started;
let fanOut: Started;

beforeAll(async () => {
  [good, forged, fanOut] = await Promise.all([startGoal(), startGoal(), fanOutGoal()]);
}, 300_000);
afterAll(async () => {
  await Promise.all(started.map((s) => s.env.cleanup()));
});

describe('allow-workflow-edits: a kept branch outlives the runner that ran the goal', () => {
  it('job 1 keeps the change off the forge and saves its branches with the goal', () => {
    const { env, goalId, run } = good;
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect((JSON.parse(stateFile(env, goalId, 'proof.json')) as Proof).knownGaps.map((g) => g.code)).toEqual([
      'workflow_edited',
    ]);
    expect(run.stdout).toMatch(
      /kept omk\/\S+ on this machine, not pushed: its head changes the CI workflows/,
    );
    // No ref of the repository holds the new workflow; the state branch holds its bundles as blobs
    // (and the math slice's, saved as it finished: this job publishes no slice branch).
    expect(refsWithChange(env)).toEqual([]);
    expect(keptPulls(env, goalId)).toEqual([]);
    const kept = stateFiles(env, goalId).filter((path) => path.startsWith('kept/'));
    expect(kept).toEqual([
      'kept/integration.bundle',
      expect.stringMatching(/^kept\/s1-\S+math\S+\.bundle$/),
      expect.stringMatching(/^kept\/s2-\S+\.bundle$/),
    ]);
  });

  it("job 2's accept on a fresh checkout restores the branches, opens the PRs and the gated merge takes the change", async () => {
    const { env, goalId } = good;
    const run = await accept(env, goalId);
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toContain(`blocked_on_human -> accepted, accepted by ${WRITER}.`);
    const integrator = [...env.server.state.pulls.values()].find(
      (pull) => pull.head === `omk/${goalId}/integration`,
    );
    expect(integrator?.merged).toBe(true);
    expect(mainWorkflow(env)).toContain('node-version: 22');
    expect(JSON.parse(stateFile(env, goalId, 'goal.json'))).toMatchObject({ status: 'merged' });
  }, 120_000);

  it("fan-out: the workflow slice's execute job saves its branch instead of publishing it; integrate restores it, accept delivers it", async () => {
    const { env, goalId, run } = fanOut;
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toMatch(
      /kept omk\/\S+\/s2-\S+ on this machine, not pushed: its head changes the CI workflows/,
    );
    expect(refsWithChange(env)).toEqual([]);
    expect(stateFiles(env, goalId).filter((path) => path.startsWith('kept/'))).toEqual([
      'kept/integration.bundle',
      expect.stringMatching(/^kept\/s2-\S+\.bundle$/),
    ]);
    const accepted = await accept(env, goalId);
    expect(accepted.code, accepted.stdout.slice(-3000)).toBe(0);
    expect(mainWorkflow(env)).toContain('node-version: 22');
  }, 120_000);

  it('a bundle whose head is not the one the evidence records is refused, naming the branch; nothing changes', async () => {
    const { env, goalId, run } = forged;
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    // Someone with push access replaces the integration's bundle with one of another commit.
    const branch = `omk/${goalId}/integration`;
    forgeState(env, goalId, (work) => {
      git(work, 'checkout', '--quiet', '--detach', 'origin/main');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', 'not what was reviewed');
      git(work, 'update-ref', `refs/heads/${branch}`, 'HEAD');
      git(work, 'bundle', 'create', '--quiet', 'forged.bundle', `refs/heads/${branch}`, '^origin/main');
      git(work, 'checkout', '--quiet', '-B', 'state', 'origin/omk/state');
      renameSync(join(work, 'forged.bundle'), join(work, 'goals', goalId, 'kept', 'integration.bundle'));
      git(work, 'add', '--', `goals/${goalId}/kept/integration.bundle`);
    });
    const refused = await accept(env, goalId);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain(
      `Refusing to restore branch ${branch} of goal ${goalId} from its saved copy (kept/integration.bundle): its head is `,
    );
    // The step's failure is pushed as any is (the goal re-rooted in this job's checkout): no acceptance.
    expect((JSON.parse(stateFile(env, goalId, 'proof.json')) as Proof).delivery.acceptance).toBeNull();
    expect(keptPulls(env, goalId)).toEqual([]);
    expect(refsWithChange(env)).toEqual([]);
    expect(JSON.parse(stateFile(env, goalId, 'goal.json'))).toMatchObject({ status: 'blocked_on_human' });
  }, 120_000);

  it('a goal with no saved copy of a kept branch is refused cleanly, saying where the branch is and how to go on', async () => {
    const { env, goalId } = forged;
    forgeState(env, goalId, (work) => {
      git(work, 'checkout', '--quiet', '-B', 'state', 'origin/omk/state');
      git(work, 'rm', '--quiet', '-r', `goals/${goalId}/kept`);
    });
    const refused = await accept(env, goalId);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(
      new RegExp(
        `Branch omk/${goalId}/\\S+ of goal ${goalId} was kept on the machine that ran the goal until a person accepted it, and this repository does not have it: the goal holds no saved copy of it \\(kept/\\S+\\.bundle\\)\\. Nothing was pushed\\.`,
      ),
    );
    expect(refused.stdout).toContain(
      'Run the goal again here, or accept and merge it on the machine that ran it',
    );
    expect(keptPulls(env, goalId)).toEqual([]);
    expect(refsWithChange(env)).toEqual([]);
  }, 120_000);
});

/** Commits what `edit` does to a clone's checkout of the state branch, and pushes it there. */
function forgeState(env: ActionEnv, goalId: string, edit: (work: string) => void): void {
  const work = mkdtempSync(join(env.runnerTemp, 'forger-'));
  git(work, 'clone', '--quiet', env.repo.origin, '.');
  git(work, 'config', 'user.name', 'forger');
  git(work, 'config', 'user.email', 'forger@example.com');
  edit(work);
  git(work, 'commit', '--quiet', '-m', `forge goal ${goalId}`);
  git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/omk/state');
}
