import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../../src/bot/find-command.js';
import { git } from '../helpers/git-repo.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

/**
 * Hostile comments from a writer (the worst case: permission checks pass). Every one is answered
 * with a reply or a refusal, or ignored when the command is hidden; none is executed: each tries
 * to create a sentinel file through a shell, and no sentinel may exist afterwards.
 */
describe('hostile comments', () => {
  let env: BotEnv;
  let sentinel = '';
  const corpus: { name: string; body: string; expect: 'goal' | 'reply' | 'ignored' }[] = [];

  beforeAll(async () => {
    env = await startBotEnv({ mode: 'actions' });
    sentinel = join(env.workDir, 'pwned');
    const touch = `touch ${sentinel}`;
    corpus.push(
      {
        name: 'command substitution',
        body: `/omk goal run "fix $(${touch}) in src/math.js"`,
        expect: 'goal',
      },
      { name: 'backticks', body: `/omk goal run "fix \`${touch}\` now"`, expect: 'goal' },
      {
        name: 'metacharacters',
        body: `/omk goal run "fix it; ${touch} && rm -rf / | cat > x"`,
        expect: 'goal',
      },
      {
        name: 'markup and mentions',
        body: '/omk goal run "fix @everyone <img src=x onerror=alert(1)> [x](javascript:alert(1))"',
        expect: 'goal',
      },
      { name: 'zero-width', body: '/omk goal run "fix\u200b the\u200d add\u2060 function"', expect: 'goal' },
      { name: 'workflow command', body: '/omk goal run "::set-output name=pwned::1"', expect: 'reply' },
      { name: 'add-mask', body: '/omk goal run "fix ::add-mask::hunter2 please"', expect: 'reply' },
      { name: 'substitution in a flag', body: `/omk goal run "x" --policy "$(${touch})"`, expect: 'reply' },
      { name: 'substitution as goal id', body: `/omk goal status $(${touch})`, expect: 'reply' },
      { name: 'path as goal id', body: '/omk goal cancel ../../etc/passwd', expect: 'reply' },
      { name: 'bidi override', body: `/omk goal run "fix the test \u202e;${touch}"`, expect: 'reply' },
      { name: 'unclosed quote', body: `/omk goal run "${touch}`, expect: 'reply' },
      {
        name: 'hidden in a comment',
        body: `<!--\n/omk goal run "hidden $(${touch})"\n-->`,
        expect: 'ignored',
      },
      {
        name: 'hidden in details',
        body: `<details>\n/omk goal run "${touch}"\n</details>`,
        expect: 'ignored',
      },
      { name: '64 KB goal', body: `/omk goal run "${'A'.repeat(64 * 1024 - 20)}"`, expect: 'reply' },
      {
        name: '64 KB of comment openers',
        body: `${'<!--'.repeat(16 * 1024)}\n/omk goal run "x"`,
        expect: 'ignored',
      },
    );
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers each webhook fast with 2xx, then a goal, a reply, or nothing as expected', async () => {
    for (const item of corpus) {
      const [replies, goals, requests] = [env.replies().length, env.stateGoals().length, env.server.count()];
      const delivery = await env.comment(item.body);
      expect(delivery.status, item.name).toBe(200);
      // Well inside GitHub's 10 s webhook timeout, with room for a machine under load above 20.
      expect(delivery.ms, item.name).toBeLessThan(3000);
      await env.bot.idle();
      const outcome =
        env.stateGoals().length > goals ? 'goal' : env.replies().length > replies ? 'reply' : 'ignored';
      expect(outcome, item.name).toBe(item.expect);
      if (outcome === 'ignored') expect(env.server.count(), item.name).toBe(requests);
    }
    env.server.assertClean();
  }, 120_000);

  it('executed nothing: no sentinel, no job crashed, no stray checkout', async () => {
    expect(existsSync(sentinel)).toBe(false);
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(await leftovers(env)).toEqual([]);
  });

  it('wrote nothing but goal text: branches, dispatch inputs, goal records', () => {
    const branches = git(env.repo.origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/');
    expect(branches.split('\n').sort()).toEqual(['refs/heads/main', 'refs/heads/omk/state']);
    for (const dispatch of env.server.state.dispatches) {
      expect(Object.keys(dispatch.inputs).sort()).toEqual(['command', 'goal-id']);
      expect(String(dispatch.inputs['goal-id'])).toMatch(/^[a-z0-9-]+$/);
    }
    const texts = env.stateGoals().map((id) => env.readGoal(id).goal.normalized);
    expect(texts).toContain('fix the add function');
    expect(texts.some((t) => t.includes('$('))).toBe(true);
    expect(texts.every((t) => !/[\u200b-\u200f\u202a-\u202e\u2060-\u2069]/.test(t))).toBe(true);
    expect(
      texts.some((t) => t.includes('set-output') || t.includes('add-mask') || t.includes('hidden')),
    ).toBe(false);
  });

  it('refused what it would not do, with a reason', () => {
    const bodies = env.replies().map((r) => r.body);
    expect(bodies.some((b) => b.includes("contains '::set-output'"))).toBe(true);
    expect(bodies.some((b) => b.includes("contains '::add-mask'"))).toBe(true);
    expect(bodies.some((b) => b.includes('bidirectional control characters'))).toBe(true);
    expect(bodies.some((b) => b.includes('the limit is 8000'))).toBe(true);
    expect(bodies.some((b) => b.includes('is not a goal id'))).toBe(true);
    expect(bodies.some((b) => b.includes('never closed'))).toBe(true);
    for (const body of [...bodies, ...env.statusComments().map((c) => c.body)]) {
      expect(body.length).toBeLessThan(8_000);
      // No reply or status comment holds a command the bot itself would read.
      expect(findCommand(body)).toEqual({ kind: 'none' });
    }
  });

  it('escaped user text in status comments: no markup, no mentions, no links', () => {
    for (const status of env.statusComments()) {
      const visible = status.body.split('\n').slice(2).join('\n');
      expect(visible).not.toContain('<img');
      expect(visible).not.toContain('<!--');
      expect(visible).not.toMatch(/@everyone/);
      // Brackets are escaped (`\[x\](...)`): the text shows, no link is made.
      expect(visible).not.toMatch(/(?<!\\)\]\(javascript:/);
    }
  });
});
