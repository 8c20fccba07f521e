import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { scriptFile } from '../helpers/agents.js';
import { refsWithPath } from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { HOLD_MS, heldSliceAgent, keptOnState, waitFor } from '../helpers/held-slice.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

/**
 * A goal that changes its CI workflow (`--allow-workflow-edits`), paused through the bot after its
 * workflow slice finished (kept off the forge, saved with the goal as a bundle) and before its
 * other slice and the integration: the resume runs in a fresh checkout, which never had the kept
 * slice's branch. The integration must still merge the kept slice's commits, restored from the
 * bundle at the head the goal's evidence records.
 */
const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
// The workflow first: with one agent at a time its slice ends before the math slice starts.
const GOAL = `move the CI workflow ${WORKFLOW} to node-version 22 and fix the failing test in src/math.js`;

describe('bot: a workflow-changing goal paused after its kept slice, resumed in a fresh checkout', () => {
  let env: BotEnv;
  let dir: string;
  let started: string;
  let release: string;
  const commentId = 7_420_001;
  const goalId = newGoalId(GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const stateProof = (): Proof =>
    JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`));
  /** The refs whose workflow file holds the goal's change (a push of one runs it in CI). */
  const refsWithChange = () =>
    refsWithPath(env.repo.origin, WORKFLOW).filter((ref) =>
      git(env.repo.origin, 'show', `${ref}:${WORKFLOW}`).includes('node-version: 22'),
    );
  const keptFiles = () => keptOnState(env.repo.origin, goalId);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-kept-resume-'));
    started = join(dir, 'math-started');
    release = join(dir, 'release');
    const agent = await scriptFile(
      dir,
      'agent.mjs',
      heldSliceAgent({ workflow: WORKFLOW, held: 'math', started, release, plans: false }),
    );
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: agent } });
    await env.repo.commit({ [WORKFLOW]: BASE_WORKFLOW }, 'ci workflow');
    git(env.repo.root, 'push', '--quiet', env.repo.origin, 'HEAD:refs/heads/main');
    await env.comment(`/omk goal run "${GOAL}" --allow-workflow-edits --policy auto-pr --max-agents 1`, {
      commentId,
    });
    // The workflow slice is done (and kept) once the math slice's agent has started.
    await waitFor(() => existsSync(started), HOLD_MS);
    const before = env.replies().length;
    await env.comment(`/omk goal pause ${goalId}`);
    await waitFor(
      () =>
        env
          .replies()
          .slice(before)
          .some((r) => r.body.includes('→ paused') || /cannot pause/i.test(r.body)),
      HOLD_MS,
    );
    await writeFile(release, '');
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    // A test that failed before it let the agent go must not leave it waiting.
    await writeFile(release, '').catch(() => {});
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('paused with the workflow slice done, its branch on no ref of the forge but saved with the goal', () => {
    expect(env.replies().some((r) => r.body.includes('running → paused'))).toBe(true);
    expect(env.readGoal(goalId).status).toBe('paused');
    expect(refsWithChange()).toEqual([]);
    expect(keptFiles().filter((file) => file.includes('workflow'))).toHaveLength(1);
  });

  it('resumed in a fresh checkout, integrates the kept slice with the other and keeps the result for acceptance', async () => {
    await env.comment(`/omk goal resume ${goalId}`);
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain('Continuing it here');
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('blocked_on_human');
    const proof = stateProof();
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    expect(keptFiles()).toContain('kept/integration.bundle');
    expect(refsWithChange()).toEqual([]);
    expect(await leftovers(env)).toEqual([]);
  });

  it('accepted, pushes an integration that holds both slices: the kept one restored, not lost', async () => {
    await env.comment('/omk goal accept --summary "read the workflow: it only moves to Node 22"');
    await env.bot.idle();
    expect(env.readGoal(goalId).status).toBe('accepted');
    const integration = `refs/heads/omk/${goalId}/integration`;
    expect(git(env.repo.origin, 'show', `${integration}:${WORKFLOW}`)).toContain('node-version: 22');
    expect(git(env.repo.origin, 'show', `${integration}:src/math.js`)).toContain('return a + b;');
  });
});
