import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotEnv, startBotEnv } from './harness.js';

/**
 * What `npm run bot` does on SIGTERM (src/bot/main.ts calls drain): a job running when the signal
 * arrives completes; a command arriving after it is refused with the busy reply, and nothing of it
 * runs.
 */
describe('bot shutdown: drain in-flight jobs, refuse new ones', () => {
  let env: BotEnv;

  beforeAll(async () => {
    env = await startBotEnv({ mode: 'actions' });
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  it('finishes the goal being planned, refuses the next command, and logs both decisions', async () => {
    await env.comment('/omk goal run "fix the failing test in src/math.js"');
    for (let i = 0; i < 400 && env.bot.commands.running === 0; i += 1)
      await new Promise((r) => setTimeout(r, 5));
    expect(env.bot.commands.running).toBe(1);
    const shutdown = new AbortController();
    const drained = env.bot.lanes.drain(shutdown, 120_000);
    const late = await env.comment('/omk goal run "add a regression test for add()"');
    expect(late.status).toBe(200);
    expect(await drained).toBe(true);
    expect(shutdown.signal.aborted).toBe(true);
    // The running job completed: planned, dispatched, no error.
    expect(env.jobs).toHaveLength(1);
    expect(env.jobs[0]?.error).toBeNull();
    expect(env.server.state.dispatches).toHaveLength(1);
    expect(env.stateGoals()).toHaveLength(1);
    expect(env.statusComments()).toHaveLength(1);
    // The late one was refused: the busy reply, nothing started.
    expect(env.replies().map((reply) => reply.body)).toEqual([
      expect.stringContaining('omk is busy right now'),
    ]);
    expect(env.log.some((line) => /^info job .* refused: the app is shutting down$/.test(line))).toBe(true);
    expect(env.log).toContain('info shutdown: every job finished');
  }, 120_000);

  it('logs why a comment without a command is ignored (debug)', async () => {
    await env.comment('thanks, looks good');
    expect(env.log.some((line) => /^debug comment .* ignored: no \/omk command/.test(line))).toBe(true);
  });
});
