import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { allRefs, refsWithPath } from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { HOLD_MS, heldSliceAgent, keptOnState, waitFor } from '../helpers/held-slice.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

/**
 * The Action's `run` publishes no slice branch (policy local pushes nothing, and a pushed branch
 * starts the repository's CI): a slice's commits are on its runner only until delivery. A run
 * cancelled after an ordinary slice finished and while another ran: a later job's `execute` runs
 * on a fresh runner, which never had the finished slice's branch. Its commits were saved with the
 * goal as the slice finished (a bundle on the state branch); execute restores them at the head the
 * goal's evidence records and integrates them, with no finding of a branch removed; a bundle of
 * another commit is refused. The held slice changes the CI workflow (kept until a person accepts
 * the goal), so no push of that job runs CI either.
 */
const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
// The math slice first: with one agent at a time it ends before the workflow slice starts.
const GOAL = `fix the failing test in src/math.js and move the CI workflow ${WORKFLOW} to node-version 22`;
const WRITER = 'octo-dev';

/** The `run` step's inputs: the same in a re-run of its job. */
const RUN_INPUTS = {
  goal: GOAL,
  agent: 'script:./agent.mjs',
  'llm-planner': 'false',
  'allow-workflow-edits': 'true',
  'max-agents': '1',
  policy: 'auto-pr',
  'merge-policy': 'gated',
  'fail-on-not-ready': 'false',
};

interface Cancelled {
  env: ActionEnv;
  dir: string;
  release: string;
  first: ActionRun;
  goalId: string;
}

const cancelled: Cancelled[] = [];

/** Job 1: the goal's `run`, cancelled (SIGINT) once the math slice is done and the workflow slice runs. */
async function cancelledRun(runId: string): Promise<Cancelled> {
  const dir = await mkdtemp(join(tmpdir(), 'omk-action-slice-resume-'));
  const started = join(dir, 'workflow-started');
  const release = join(dir, 'release');
  const env = await createActionEnv({
    files: { ...NO_CI_CONFIG, [WORKFLOW]: BASE_WORKFLOW },
    executables: { 'agent.mjs': heldSliceAgent({ workflow: WORKFLOW, held: 'workflow', started, release }) },
  });
  env.server.setPermission(WRITER, 'write');
  const running = env.run(RUN_INPUTS, { GITHUB_RUN_ID: runId });
  // The math slice is done once the workflow slice's agent has started.
  await waitFor(() => existsSync(started), HOLD_MS);
  // The workflow run is cancelled: the runner sends the step SIGINT.
  env.running?.kill('SIGINT');
  const first = await running;
  await writeFile(release, '');
  const found = { env, dir, release, first, goalId: first.outputs['goal-id'] ?? '' };
  cancelled.push(found);
  return found;
}

const stateFile = (env: ActionEnv, goalId: string, name: string) =>
  git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/${name}`);
const stateProof = (env: ActionEnv, goalId: string): Proof =>
  JSON.parse(stateFile(env, goalId, 'proof.json'));
const stateStatus = (env: ActionEnv, goalId: string): string =>
  (JSON.parse(stateFile(env, goalId, 'goal.json')) as { status: string }).status;
const keptFiles = (env: ActionEnv, goalId: string) => keptOnState(env.repo.origin, goalId);
/** The refs whose workflow file holds the goal's change (a push of one runs it in CI). */
const refsWithChange = (env: ActionEnv) =>
  refsWithPath(env.repo.origin, WORKFLOW).filter((ref) =>
    git(env.repo.origin, 'show', `${ref}:${WORKFLOW}`).includes('node-version: 22'),
  );
/** Every finding the goal's proof holds, of its slices and of its integration. */
const findings = (proof: Proof) =>
  JSON.stringify(proof).match(/omk's (integration )?branch \S+ was \w+/g) ?? [];
const execute = (env: ActionEnv, goalId: string) =>
  separateJob(env, {
    command: 'execute',
    'goal-id': goalId,
    agent: 'script:./agent.mjs',
    'fail-on-not-ready': 'false',
  });

let good: Cancelled;
let forged: Cancelled;
let rerun: Cancelled;

beforeAll(async () => {
  [good, forged, rerun] = await Promise.all([
    cancelledRun('7412'),
    cancelledRun('7413'),
    cancelledRun('7414'),
  ]);
}, 240_000);
afterAll(async () => {
  for (const run of cancelled) {
    // A test that failed before it let the agent go must not leave it waiting.
    await writeFile(run.release, '').catch(() => {});
    await run.env.cleanup();
    await rm(run.dir, { recursive: true, force: true });
  }
});

describe('Action: a goal cancelled after an ordinary slice finished, executed again on a fresh runner', () => {
  it('the cancelled run leaves the goal interrupted, the math slice done, on no ref of the forge but saved with the goal', () => {
    const { env, goalId, first } = good;
    expect(goalId, first.stdout.slice(-3000)).not.toBe('');
    expect(stateStatus(env, goalId), first.stdout.slice(-3000)).toBe('interrupted');
    expect(stateProof(env, goalId).slices.map((slice) => slice.status)).toEqual(['done', 'pending']);
    expect(refsWithChange(env)).toEqual([]);
    expect(refsWithPath(env.repo.origin, 'src/math.js').filter((ref) => ref.includes(goalId))).toEqual([]);
    expect(keptFiles(env, goalId)).toEqual([expect.stringMatching(/^kept\/s1-\S*math\S*\.bundle$/)]);
  });

  it("a later job's execute on a fresh runner restores the finished slice, integrates it with the other and keeps the result for acceptance", async () => {
    const { env, goalId } = good;
    const run = await execute(env, goalId);
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).not.toContain('Cannot integrate');
    const proof = stateProof(env, goalId);
    expect(findings(proof)).toEqual([]);
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    expect(stateStatus(env, goalId)).toBe('blocked_on_human');
    // Delivery pushed the math slice's branch (its PR); the workflow slice's and the integration
    // wait for acceptance, saved with the goal beside the math slice's copy, which a later job no
    // longer needs (its fetch brings the branch).
    const mathPull = [...env.server.state.pulls.values()].find((pull) =>
      pull.head.startsWith(`omk/${goalId}/s1-`),
    );
    expect(mathPull?.head).toBe(proof.slices[0]?.branch);
    expect(keptFiles(env, goalId)).toEqual([
      'kept/integration.bundle',
      expect.stringMatching(/^kept\/s1-\S*math\S*\.bundle$/),
      expect.stringMatching(/^kept\/s2-\S*workflow\S*\.bundle$/),
    ]);
    expect(refsWithChange(env)).toEqual([]);
  }, 180_000);

  it('accept on another fresh runner delivers an integration that holds both slices: the restored one not lost', async () => {
    const { env, goalId } = good;
    const run = await separateJob(
      env,
      { command: 'accept', 'goal-id': goalId, summary: 'read the workflow: it only moves to Node 22' },
      { GITHUB_ACTOR: WRITER },
    );
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toContain(`blocked_on_human -> accepted, accepted by ${WRITER}.`);
    const main = (path: string) => git(env.repo.origin, 'show', `main:${path}`);
    expect(main(WORKFLOW)).toContain('node-version: 22');
    expect(main('src/math.js')).toContain('return a + b;');
    expect(stateStatus(env, goalId)).toBe('merged');
  }, 120_000);

  it('Re-run jobs: the run continues the goal on a fresh runner, the finished slice restored and integrated', async () => {
    const { env, goalId } = rerun;
    const run = await separateJob(env, RUN_INPUTS, { GITHUB_RUN_ID: '7414', GITHUB_RUN_ATTEMPT: '2' });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toContain(`goal ${goalId} is on the state branch already (interrupted)`);
    expect(run.stdout).not.toContain('Cannot integrate');
    const proof = stateProof(env, goalId);
    expect(findings(proof)).toEqual([]);
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    expect(stateStatus(env, goalId)).toBe('blocked_on_human');
    expect(refsWithChange(env)).toEqual([]);
  }, 180_000);

  it('a saved slice whose head is not the one the evidence records is refused, naming the branch; nothing is integrated or pushed', async () => {
    const { env, goalId } = forged;
    const branch = stateProof(env, goalId).slices[0]?.branch ?? '';
    expect(branch).toMatch(/\/s1-/);
    // Someone with push access replaces the math slice's bundle with one of another commit.
    const work = await mkdtemp(join(forged.dir, 'forger-'));
    git(work, 'clone', '--quiet', env.repo.origin, '.');
    git(work, 'config', 'user.name', 'forger');
    git(work, 'config', 'user.email', 'forger@example.com');
    git(work, 'checkout', '--quiet', '--detach', 'origin/main');
    git(work, 'commit', '--quiet', '--allow-empty', '-m', 'not what the gates passed');
    git(work, 'update-ref', `refs/heads/${branch}`, 'HEAD');
    const file = `goals/${goalId}/${keptFiles(env, goalId)[0]}`;
    git(work, 'checkout', '--quiet', '-B', 'state', 'origin/omk/state');
    git(work, 'bundle', 'create', '--quiet', file, `refs/heads/${branch}`, '^origin/main');
    git(work, 'add', '--', file);
    git(work, 'commit', '--quiet', '-m', `forge goal ${goalId}`);
    git(work, 'push', '--quiet', 'origin', 'state:omk/state');
    const refused = await execute(env, goalId);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain(
      `Refusing to restore branch ${branch} of goal ${goalId} from its saved copy (`,
    );
    expect(stateStatus(env, goalId)).toBe('interrupted');
    expect(stateProof(env, goalId).slices.map((slice) => slice.status)).toEqual(['done', 'pending']);
    expect(env.server.state.pulls.size).toBe(0);
    expect(allRefs(env.repo.origin).filter((ref) => ref.includes(goalId))).toEqual([]);
  }, 120_000);
});
