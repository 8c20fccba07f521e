import { mkdtemp, rm } from 'node:fs/promises';
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
import { keptOnState } from '../helpers/held-slice.js';
import { type BotEnv, COMMENTER, startBotEnv } from './harness.js';
import { checkSuitePayload } from './payloads.js';

/**
 * A goal created through the bot to change its CI workflow (`--allow-workflow-edits`): the
 * branches holding the change stay off the forge until a person accepts the goal, and the job's
 * checkout is gone by then. They travel with the goal on the state branch as git bundles; the
 * accept's job restores them from there, pushes them and opens the PRs, and the gated merge takes
 * the change once CI is green.
 */
const WORKFLOW = '.github/workflows/ci.yml';
const BASE_WORKFLOW =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n';
const GOAL = `fix the failing test in src/math.js and move the CI workflow ${WORKFLOW} to node-version 22`;

/** Plans nothing; each slice does its part of the goal (a slice that names neither does both). */
const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
const task = process.env.OMK_TASK_ID;
if (task === 'plan') process.exit(0);
const edit = (path, from, to) => writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
const workflow = task.includes('workflow');
const math = task.includes('math');
if (workflow || !math) edit(${JSON.stringify(WORKFLOW)}, 'node-version: 20', 'node-version: 22');
if (math || !workflow) edit('src/math.js', 'return a - b;', 'return a + b;');
`;

describe('bot: a goal that changes its CI workflow, accepted on the thread in a later job', () => {
  let env: BotEnv;
  let dir: string;
  const commentId = 7_410_001;
  const goalId = newGoalId(GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const integrationBranch = `omk/${goalId}/integration`;
  const integrator = () => [...env.server.state.pulls.values()].find((p) => p.head === integrationBranch);
  const stateProof = (): Proof =>
    JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`));
  /** The refs whose workflow file holds the goal's change (a push of one runs it in CI). */
  const refsWithChange = () =>
    refsWithPath(env.repo.origin, WORKFLOW).filter((ref) =>
      git(env.repo.origin, 'show', `${ref}:${WORKFLOW}`).includes('node-version: 22'),
    );
  const lastReply = () => env.replies().at(-1)?.body ?? '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-workflow-'));
    const agent = await scriptFile(dir, 'agent.mjs', AGENT);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: agent } });
    await env.repo.commit({ [WORKFLOW]: BASE_WORKFLOW }, 'ci workflow');
    git(env.repo.root, 'push', '--quiet', env.repo.origin, 'HEAD:refs/heads/main');
    env.server.setProtection('main', { requiredContexts: ['ci'], requiredApprovals: 0 });
    await env.comment(
      `/omk goal run "${GOAL}" --allow-workflow-edits --policy auto-pr --merge-policy gated --max-agents 1`,
      { commentId },
    );
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends blocked_on_human on workflow_edited, no ref holding the change, its branches saved with the goal', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('blocked_on_human');
    expect(stateProof().knownGaps.map((gap) => gap.code)).toEqual(['workflow_edited']);
    expect(refsWithChange()).toEqual([]);
    expect(integrator()).toBeUndefined();
    expect(keptOnState(env.repo.origin, goalId)).toContain('kept/integration.bundle');
  });

  it('restores the branches in the accept’s job, opens the PRs, and the gated merge takes the change once CI is green', async () => {
    await env.comment('/omk goal accept --summary "read the workflow: it only moves to Node 22"');
    await env.bot.idle();
    expect(lastReply()).toContain(`blocked on human → accepted, accepted by ${COMMENTER}.`);
    const pull = integrator();
    if (pull === undefined) throw new Error(`no integrator PR: ${lastReply()}`);
    env.server.setStatus(pull.headSha, 'ci', 'success');
    await env.deliver('check_suite', checkSuitePayload(env.server, integrationBranch, pull.headSha));
    await env.bot.idle();
    expect(pull.merged).toBe(true);
    expect(env.readGoal(goalId).status).toBe('merged');
    expect(git(env.repo.origin, 'show', `main:${WORKFLOW}`)).toContain('node-version: 22');
  });
});
