import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { refsWithPath } from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { HOLD_MS, heldSliceAgent, keptOnState, waitFor } from '../helpers/held-slice.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

/**
 * A goal the workflow created to change its CI workflow (allow-workflow-edits), cancelled in its
 * `run` job after its workflow slice finished (kept off the forge, saved with the goal as a
 * bundle) and while its other slice ran: a later job's `execute` runs on a fresh runner, which
 * never had the kept slice's branch. Its integration must still merge the kept slice's commits,
 * restored from the bundle at the head the goal's evidence records, and accept must deliver both.
 */
const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
// The workflow first: with one agent at a time its slice ends before the math slice starts.
const GOAL = `move the CI workflow ${WORKFLOW} to node-version 22 and fix the failing test in src/math.js`;
const WRITER = 'octo-dev';

describe('Action: a workflow-changing goal cancelled after its kept slice, executed again on a fresh runner', () => {
  let env: ActionEnv;
  let dir: string;
  let release: string;
  let first: ActionRun;
  let goalId = '';
  const stateFile = (name: string) =>
    git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/${name}`);
  const stateProof = (): Proof => JSON.parse(stateFile('proof.json'));
  const stateStatus = (): string => (JSON.parse(stateFile('goal.json')) as { status: string }).status;
  const keptFiles = () => keptOnState(env.repo.origin, goalId);
  /** The refs whose workflow file holds the goal's change (a push of one runs it in CI). */
  const refsWithChange = () =>
    refsWithPath(env.repo.origin, WORKFLOW).filter((ref) =>
      git(env.repo.origin, 'show', `${ref}:${WORKFLOW}`).includes('node-version: 22'),
    );
  /** Every finding the goal's proof holds, of its slices and of its integration. */
  const findings = (proof: Proof) =>
    JSON.stringify(proof).match(/omk's (integration )?branch \S+ was \w+/g) ?? [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-action-kept-resume-'));
    const started = join(dir, 'math-started');
    release = join(dir, 'release');
    env = await createActionEnv({
      files: { ...NO_CI_CONFIG, [WORKFLOW]: BASE_WORKFLOW },
      executables: { 'agent.mjs': heldSliceAgent({ workflow: WORKFLOW, held: 'math', started, release }) },
    });
    env.server.setPermission(WRITER, 'write');
    const running = env.run(
      {
        goal: GOAL,
        agent: 'script:./agent.mjs',
        'llm-planner': 'false',
        'allow-workflow-edits': 'true',
        'max-agents': '1',
        policy: 'auto-pr',
        'merge-policy': 'gated',
        'fail-on-not-ready': 'false',
      },
      { GITHUB_RUN_ID: '7412' },
    );
    // The workflow slice is done (and kept) once the math slice's agent has started.
    await waitFor(() => existsSync(started), HOLD_MS);
    // The workflow run is cancelled: the runner sends the step SIGINT.
    env.running?.kill('SIGINT');
    first = await running;
    goalId = first.outputs['goal-id'] ?? '';
    await writeFile(release, '');
  }, 240_000);
  afterAll(async () => {
    // A test that failed before it let the agent go must not leave it waiting.
    await writeFile(release, '').catch(() => {});
    await env.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('the cancelled run leaves the goal interrupted, the workflow slice done, on no ref of the forge but saved', () => {
    expect(goalId, first.stdout.slice(-3000)).not.toBe('');
    expect(stateStatus(), first.stdout.slice(-3000)).toBe('interrupted');
    expect(stateProof().slices.map((slice) => slice.status)).toEqual(['done', 'pending']);
    expect(refsWithChange()).toEqual([]);
    expect(keptFiles()).toEqual([expect.stringMatching(/^kept\/s1-\S*workflow\S*\.bundle$/)]);
  });

  it("a later job's execute on a fresh runner integrates the kept slice with the other and keeps the result for acceptance", async () => {
    const run = await separateJob(env, {
      command: 'execute',
      'goal-id': goalId,
      agent: 'script:./agent.mjs',
      'fail-on-not-ready': 'false',
    });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).not.toContain('Cannot integrate');
    const proof = stateProof();
    expect(findings(proof)).toEqual([]);
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    expect(stateStatus()).toBe('blocked_on_human');
    expect(keptFiles()).toContain('kept/integration.bundle');
    expect(refsWithChange()).toEqual([]);
  }, 180_000);

  it('accept on another fresh runner delivers an integration that holds both slices: the kept one restored, not lost', async () => {
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
    expect(stateStatus()).toBe('merged');
  }, 120_000);
});
