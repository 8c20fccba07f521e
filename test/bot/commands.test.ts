import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../../src/bot/find-command.js';
import { APP_LOGIN, type BotEnv, COMMENTER, SECRET, startBotEnv } from './harness.js';
import { examplePayload } from './payloads.js';

/**
 * The webhook front door through Probot's real middleware: signed example payloads in, replies
 * and reactions on the fake GitHub out. None of these commands starts a goal.
 */
describe('bot commands: help, usage, refusals, loops', () => {
  let env: BotEnv;
  const seenReplies = () => env.replies().length;

  beforeAll(async () => {
    env = await startBotEnv();
  });
  afterEach(async () => {
    await env.bot.idle();
    env.server.assertClean();
  });
  afterAll(async () => {
    await env.close();
  });

  it('reacts 👀 to the command and answers /omk help with the usage', async () => {
    const before = seenReplies();
    const delivery = await env.comment('Hi!\n/omk help', { commentId: 6_000_001 });
    expect(delivery.status).toBe(200);
    await env.bot.idle();
    const eyes = env.server.state.reactions.filter((r) => r.content === 'eyes' && r.commentId === 6_000_001);
    expect(eyes).toHaveLength(1);
    const reply = env.replies().at(-1);
    expect(env.replies()).toHaveLength(before + 1);
    expect(reply?.user).toBe(APP_LOGIN);
    expect(reply?.body).toContain(`@${COMMENTER} here is what I can do`);
    expect(reply?.body).toContain('/omk goal run "<goal>"');
    // The usage is fenced: were the app ever allowed to read its own replies, it would find no command.
    expect(findCommand(reply?.body ?? '')).toEqual({ kind: 'none' });
  });

  it('answers an unknown command with usage, and a malformed run with the schema message', async () => {
    await env.comment('/omk deploy everything');
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain("Unknown command 'deploy'");
    expect(env.replies().at(-1)?.body).toContain('```text');
    await env.comment('/omk goal run "fix it" --policy yolo');
    await env.bot.idle();
    const body = env.replies().at(-1)?.body ?? '';
    expect(body).toContain("'yolo' is not one of local, draft-pr, auto-pr");
    expect(body).toContain('/omk goal run "<goal>"');
    expect(env.stateGoals()).toEqual([]);
  });

  it('refuses politely without write permission and starts nothing', async () => {
    env.server.setPermission('drive-by', 'read');
    await env.comment('/omk goal run "fix the failing test"', { login: 'drive-by' });
    await env.bot.idle();
    const reply = env.replies().at(-1);
    expect(reply?.body).toContain('@drive-by thanks for the suggestion!');
    expect(reply?.body).toContain('write, maintain or admin');
    expect(env.stateGoals()).toEqual([]);
    expect(env.server.state.dispatches).toEqual([]);
    expect(env.server.count('repos/get-collaborator-permission-level')).toBeGreaterThan(0);
  });

  it('counts maintain (reported as write) and refuses triage (reported as read)', async () => {
    env.server.setPermission('triager', 'triage');
    await env.comment('/omk goal pause', { login: 'triager' });
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain('@triager thanks for the suggestion!');
  });

  it('ignores bots, the app itself included: no reaction, no reply, no API call', async () => {
    const before = env.server.count();
    const reactions = env.server.state.reactions.length;
    for (const login of ['renovate[bot]', APP_LOGIN]) {
      const delivery = await env.comment('/omk goal run "do things"', { login, senderType: 'Bot' });
      expect(delivery.status).toBe(200);
    }
    await env.bot.idle();
    expect(env.server.count()).toBe(before);
    expect(env.server.state.reactions.length).toBe(reactions);
  });

  it('ignores an edited comment, even with a command', async () => {
    const before = env.server.count();
    const payload = examplePayload('issue_comment', 'edited', env.server, {
      issue: env.issue,
      commentId: 99,
      body: '/omk goal run "changed my mind"',
      login: COMMENTER,
      senderType: 'User',
    });
    expect((await env.deliver('issue_comment', payload)).status).toBe(200);
    await env.bot.idle();
    expect(env.server.count()).toBe(before);
  });

  it('ignores comments without a visible command', async () => {
    const before = env.server.count();
    await env.comment(
      'Looks good to me.\n\n```\n/omk goal run "example"\n```\n<!-- /omk goal run "hidden" -->',
    );
    await env.bot.idle();
    expect(env.server.count()).toBe(before);
  });

  it('rejects a bad signature at the middleware: nothing reaches the app', async () => {
    const before = env.server.count();
    const payload = examplePayload('issue_comment', 'created', env.server, {
      issue: env.issue,
      commentId: 123,
      body: '/omk help',
      login: COMMENTER,
      senderType: 'User',
    });
    const delivery = await env.deliver('issue_comment', payload, { secret: `${SECRET}-wrong` });
    expect(delivery.status).toBe(400);
    await env.bot.idle();
    expect(env.server.count()).toBe(before);
  });

  it('says there is no goal yet for a goal command in a fresh thread', async () => {
    await env.comment('/omk goal status');
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain('there is no omk goal in this thread yet');
  });

  it('reports a missing goal id with the runtime error and its hint', async () => {
    await env.comment('/omk goal cancel no-such-goal-abc123');
    await env.bot.idle();
    const body = env.replies().at(-1)?.body ?? '';
    expect(body).toContain('There is no goal no-such-goal-abc123 on the state branch');
    expect(env.workspaces.created.length).toBe(env.workspaces.removed.length);
  });
});
