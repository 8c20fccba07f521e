import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, COMMENTER, leftovers, startBotEnv } from './harness.js';
import { examplePayload } from './payloads.js';

/**
 * actions mode (the default): the bot creates and plans the goal, pushes it to the state branch and
 * dispatches the omk workflow with `command: execute` and the goal id. Steps share one goal.
 */
describe('bot in actions mode: plan here, execute in the omk workflow', () => {
  let env: BotEnv;
  const commentId = 7_100_001;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const runLine = `/omk goal run "${DEMO_GOAL}" --merge-policy gated --max-agents 2`;

  beforeAll(async () => {
    env = await startBotEnv({ mode: 'actions' });
  });
  afterEach(async () => {
    await env.bot.idle();
    env.server.assertClean();
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers the webhook before any work, then plans, pushes state and dispatches once', async () => {
    const delivery = await env.comment(`Please:\n${runLine}`, { commentId, id: 'delivery-run-1' });
    expect(delivery.status).toBe(200);
    expect(env.server.state.dispatches).toEqual([]);
    await env.bot.idle();
    expect(env.server.state.dispatches).toEqual([
      {
        workflowId: 'omk.yml',
        ref: 'main',
        inputs: { command: 'execute', 'goal-id': goalId },
        user: 'github-actions[bot]',
      },
    ]);
    expect(env.stateGoals()).toEqual([goalId]);
    const goal = env.readGoal(goalId);
    expect(goal.status).toBe('planned');
    expect(goal.goal.text).toBe(DEMO_GOAL);
    expect(await leftovers(env)).toEqual([]);
    expect(env.workspaces.removed).toEqual(env.workspaces.created);
  });

  it('shows one status comment with the plan, marked dispatched', () => {
    const statuses = env.statusComments();
    expect(statuses).toHaveLength(1);
    const body = statuses[0]?.body ?? '';
    expect(readStatusMarker(body)).toEqual({ goalId, phase: 'dispatched' });
    expect(body).toContain('the `omk.yml` workflow runs it');
    expect(body).toContain('| Slice | Title | Status | Attempts | PR |');
    expect(body).toContain('**Merge:** `gated`');
  });

  it('starts nothing twice for a redelivery, concurrent or later, or after a restart', async () => {
    const again = await Promise.all([
      env.comment(runLine, { commentId, id: 'delivery-run-1' }),
      env.comment(runLine, { commentId, id: 'delivery-run-1' }),
    ]);
    expect(again.map((d) => d.status)).toEqual([200, 200]);
    await env.bot.idle();
    // A restarted bot has forgotten every delivery: the state branch and the status comment remember.
    env.bot.seen.forget(`${OWNER}/${REPO}#${commentId}`);
    await env.comment(runLine, { commentId, id: 'delivery-run-1' });
    await env.bot.idle();
    expect(env.server.state.dispatches).toHaveLength(1);
    expect(env.stateGoals()).toEqual([goalId]);
    expect(env.statusComments()).toHaveLength(1);
  });

  it('maps a double click (same command, same person, new comment) to the first goal', async () => {
    await env.comment(runLine, { commentId: commentId + 1 });
    await env.bot.idle();
    expect(env.server.state.dispatches).toHaveLength(1);
    expect(env.stateGoals()).toEqual([goalId]);
  });

  it('a status refresh keeps the goal with the workflow: still dispatched, and a redelivery after a restart starts nothing', async () => {
    await env.comment('/omk goal status');
    await env.bot.idle();
    const body = env.statusComments()[0]?.body ?? '';
    expect(readStatusMarker(body)).toEqual({ goalId, phase: 'dispatched' });
    expect(body).toContain('the `omk.yml` workflow runs it');
    env.bot.seen.forget(`${OWNER}/${REPO}#${commentId}`);
    await env.comment(runLine, { commentId, id: 'delivery-run-1' });
    await env.bot.idle();
    expect(env.server.state.dispatches).toHaveLength(1);
  });

  it('pauses the latest goal of the thread and updates its status comment in place', async () => {
    const before = env.statusComments()[0];
    await env.comment('/omk goal pause');
    await env.bot.idle();
    expect(env.readGoal(goalId).status).toBe('paused');
    const after = env.statusComments();
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before?.id);
    expect(after[0]?.body).toContain(': paused');
    expect(env.replies().at(-1)?.body).toContain('planned → paused');
  });

  it('serializes concurrent commands on one goal', async () => {
    await Promise.all([
      env.comment(`/omk goal resume ${goalId}`),
      env.comment(`/omk goal budget ${goalId} --time 1h`),
    ]);
    await env.bot.idle();
    expect(env.readGoal(goalId).status).toBe('planned');
    const replies = env
      .replies()
      .slice(-2)
      .map((r) => r.body);
    expect(replies.some((body) => body.includes('paused → planned'))).toBe(true);
    // Resumed to planned: the workflow is dispatched again to run it.
    expect(replies.some((body) => body.includes('Dispatched the omk.yml workflow'))).toBe(true);
    expect(env.server.state.dispatches).toHaveLength(2);
    expect(readStatusMarker(env.statusComments()[0]?.body ?? '')?.phase).toBe('dispatched');
    expect(replies.some((body) => body.includes('time: spent'))).toBe(true);
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
  });

  it('replies with the proof and the budget', async () => {
    await env.comment(`/omk goal proof ${goalId}`);
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain('omk proof');
    await env.comment('/omk goal budget');
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain(`Budget of goal ${goalId}`);
  });

  it('refuses an illegal transition with the runtime message, and records nothing', async () => {
    await env.comment('/omk goal accept --summary "ship it"');
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain(`Cannot accept goal ${goalId}: it is planned.`);
    expect(env.readGoal(goalId).status).toBe('planned');
  });

  it('cancels the goal: the status comment carries the final summary', async () => {
    await env.comment('/omk goal cancel --reason "not needed any more"');
    await env.bot.idle();
    expect(env.readGoal(goalId).status).toBe('cancelled');
    const body = env.statusComments()[0]?.body ?? '';
    expect(body).toContain('#### Final summary');
    expect(body).toContain('- Outcome: cancelled');
    expect(env.statusComments()).toHaveLength(1);
    expect(await leftovers(env)).toEqual([]);
  });

  it('works from the default branch for a comment on a pull request from a fork, never its head', async () => {
    const payload = examplePayload('issue_comment', 'created', env.server, {
      issue: env.issue,
      commentId: 7_100_009,
      body: '/omk goal run "add a test for multiply in src/math.js"',
      login: COMMENTER,
      senderType: 'User',
    });
    const base = `${env.server.url}/repos/${OWNER}/${REPO}/pulls/${env.issue}`;
    Object.assign(payload.issue as object, {
      pull_request: { url: base, html_url: base, diff_url: `${base}.diff`, patch_url: `${base}.patch` },
    });
    env.server.state.comments.push({
      id: 7_100_009,
      issueNumber: env.issue,
      user: COMMENTER,
      body: '/omk goal run "add a test for multiply in src/math.js"',
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-01T00:00:00Z',
    });
    expect((await env.deliver('issue_comment', payload)).status).toBe(200);
    await env.bot.idle();
    const created = env.stateGoals().find((id) => id.startsWith('add-a-test-for-multiply'));
    if (created === undefined) throw new Error('no goal');
    expect(env.readGoal(created).repo).toMatchObject({
      baseRef: 'main',
      baseSha: git(env.repo.origin, 'rev-parse', 'main'),
    });
    expect(env.server.state.dispatches.at(-1)).toMatchObject({ ref: 'main', inputs: { 'goal-id': created } });
  });
});
