import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import type { Proof } from '../../src/runtime/proof/schema.js';
import { scriptFile } from '../helpers/agents.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, COMMENTER, leftovers, startBotEnv } from './harness.js';
import { checkSuitePayload } from './payloads.js';

/**
 * A goal created through the bot to change its test script (`--allow-gate-edits`) waits for a
 * person: the gated merge refuses it, naming the gap, until someone with write access accepts it
 * on the thread. The acceptance names them, the PR body and the omk/proof check run show it, and
 * the gated merge takes the goal on the event that turns its last check green (`recheckMerge`).
 */
const GOAL =
  'fix the failing test in src/math.js and give the test script in package.json a 60 second test timeout';
const BASE_SCRIPT = 'node --test test/';
const NEW_SCRIPT = 'node --test --test-timeout=60000 test/';
const READER = 'octo-reader';

/** Plans nothing (the heuristic plans one slice writing both files), then does what the goal asks. */
const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') process.exit(0);
const edit = (path, from, to) => writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
edit('src/math.js', 'return a - b;', 'return a + b;');
edit('package.json', ${JSON.stringify(`"${BASE_SCRIPT}"`)}, ${JSON.stringify(`"${NEW_SCRIPT}"`)});
`;

describe('bot: a goal that changes its test script, accepted on the thread, then merged by the gated merge', () => {
  let env: BotEnv;
  let dir: string;
  const commentId = 7_310_001;
  const goalId = newGoalId(GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const integrationBranch = `omk/${goalId}/integration`;
  const integrator = () => {
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === integrationBranch);
    if (!pull) throw new Error('no integrator PR');
    return pull;
  };
  const stateProof = (): Proof =>
    JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`));
  const mainScript = () =>
    (JSON.parse(git(env.repo.origin, 'show', 'main:package.json')) as { scripts: { test: string } }).scripts
      .test;
  const lastReply = () => env.replies().at(-1)?.body ?? '';
  const say = async (body: string, login?: string) => {
    await env.comment(body, login === undefined ? {} : { login });
    await env.bot.idle();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-accept-'));
    const agent = await scriptFile(dir, 'agent.mjs', AGENT);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: agent } });
    env.server.setPermission(READER, 'read');
    env.server.setProtection('main', { requiredContexts: ['ci'], requiredApprovals: 0 });
    await env.comment(
      `/omk goal run "${GOAL}" --allow-gate-edits --policy auto-pr --merge-policy gated --max-agents 1`,
      { commentId },
    );
    await env.bot.idle();
  }, 240_000);
  afterEach(() => env.server.assertClean());
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends blocked_on_human on the edited definition, its PRs open, the merge refused naming the gap', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('blocked_on_human');
    expect(stateProof().knownGaps.map((gap) => gap.code)).toEqual(['gate_definition_edited']);
    expect(integrator().merged).toBe(false);
    const status = env.statusComments()[0]?.body ?? '';
    expect(status).toContain('merge blocked by proof\\_not\\_ready');
    expect(status).toContain(
      'the proof is blocked\\_on\\_human on gate\\_definition\\_edited: a person must review it and accept the goal first',
    );
  });

  it('refuses /omk goal merge before anyone accepted it, naming the gap', async () => {
    await say('/omk goal merge');
    expect(lastReply()).toContain('blocked\\_on\\_human on gate\\_definition\\_edited');
    expect(env.server.count('pulls/merge')).toBe(0);
    expect(env.readGoal(goalId).status).toBe('blocked_on_human');
  });

  it('refuses an accept by someone who may only read: nothing changes', async () => {
    const stateHead = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state');
    await say('/omk goal accept --summary "looks fine to me"', READER);
    expect(lastReply()).toContain(`@${READER}`);
    expect(lastReply()).toMatch(/write/);
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state')).toBe(stateHead);
    expect(env.readGoal(goalId).status).toBe('blocked_on_human');
  });

  it('records a writer’s acceptance with their login, shows it on the PR and its check run, and waits for CI', async () => {
    await say('/omk goal accept --summary "read the new test script: it runs every test"');
    expect(lastReply()).toContain(`blocked on human → accepted, accepted by ${COMMENTER}.`);
    // Evaluated at once: only CI is missing now.
    expect(lastReply()).toContain('merge blocked by checks\\_pending');
    expect(lastReply()).not.toContain('proof\\_not\\_ready');
    expect(env.readGoal(goalId).status).toBe('accepted');
    const acceptance = stateProof().delivery.acceptance;
    expect(acceptance).toMatchObject({ by: COMMENTER, text: 'read the new test script: it runs every test' });
    const pull = integrator();
    expect(pull.body).toContain(`**Accepted** by ${COMMENTER} at `);
    expect(pull.body).toContain(': read the new test script: it runs every test');
    const run = env.server.state.checkRuns
      .filter((r) => r.name === 'omk/proof' && r.headSha === pull.headSha)
      .at(-1);
    expect(run?.summary).toContain(`accepted by ${COMMENTER}`);
    expect(pull.merged).toBe(false);
  });

  it('merges the accepted goal on check_suite.completed once CI turned green', async () => {
    const pull = integrator();
    env.server.setStatus(pull.headSha, 'ci', 'success');
    await env.deliver('check_suite', checkSuitePayload(env.server, integrationBranch, pull.headSha));
    await env.bot.idle();
    expect(pull.merged).toBe(true);
    expect(env.server.count('pulls/merge')).toBe(1);
    expect(env.readGoal(goalId).status).toBe('merged');
    expect(mainScript()).toBe(NEW_SCRIPT);
    expect(await leftovers(env)).toEqual([]);
  });

  it('refuses a second accept of the merged goal, saying why: nothing changes', async () => {
    const stateHead = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state');
    await say('/omk goal accept --summary "again"');
    expect(lastReply()).toContain(`Cannot accept goal ${goalId}: it is merged.`);
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state')).toBe(stateHead);
    expect(env.readGoal(goalId).status).toBe('merged');
  });
});
