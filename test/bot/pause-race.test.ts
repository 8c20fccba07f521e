import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, startBotEnv } from './harness.js';

// The bot in local mode runs a goal in its own process; a /omk goal pause arrives at one phase of
// the run: after its first slice branch was pushed (another slice still running), while the
// integrated tree is being verified, and during delivery (the fake GitHub holds the answer to
// the first PR creation). Whatever the bot replies must be what happened: "paused" only when the run's own
// goal is paused (and then it delivers and merges nothing, and goal_paused reaches the state
// branch), otherwise a refusal that says why.

let env: BotEnv | undefined;
let dir = '';
afterEach(async () => {
  await env?.close();
  env = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Touches the slice's files; a slice other than the first works for 4 s first. */
const AGENT = `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
const id = process.env.OMK_TASK_ID ?? '';
if (!id.startsWith('s1-')) await new Promise((r) => setTimeout(r, 4000));
for (const path of JSON.parse(process.env.OMK_WRITES ?? '[]')) appendFileSync(path, '\\n// touched\\n');
`;

/** The test gate: on the integration worktree it leaves a marker and takes 4 s. */
const gate = (marker: string) => `import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
if (process.cwd().includes('integration')) {
  writeFileSync(${JSON.stringify(marker)}, 'x');
  await new Promise((r) => setTimeout(r, 4000));
}
process.exit(spawnSync(process.execPath, ['--test', 'test/'], { stdio: 'inherit' }).status ?? 1);
`;

async function start(): Promise<{ bot: BotEnv; marker: string }> {
  dir = await mkdtemp(join(tmpdir(), 'omk-pause-race-'));
  const agent = join(dir, 'agent.mjs');
  const marker = join(dir, 'integrating');
  await writeFile(agent, AGENT);
  await chmod(agent, 0o755);
  const bot = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
  env = bot;
  const pkg = JSON.parse(
    execFileSync('git', ['show', 'HEAD:package.json'], { cwd: bot.repo.root, encoding: 'utf8' }),
  );
  pkg.scripts.test = 'node gate.mjs';
  await bot.repo.commit(
    { 'gate.mjs': gate(marker), 'package.json': `${JSON.stringify(pkg, null, 2)}\n` },
    'slow gate',
  );
  git(bot.repo.root, 'push', '--quiet', 'origin', 'main');
  return { bot, marker };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function branches(origin: string, goalId: string): string[] {
  return execFileSync('git', ['for-each-ref', '--format=%(refname:short)', `refs/heads/omk/${goalId}/`], {
    cwd: origin,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

function stateEventTypes(origin: string, goalId: string): string[] {
  const text = execFileSync('git', ['show', `refs/heads/omk/state:goals/${goalId}/events.jsonl`], {
    cwd: origin,
    encoding: 'utf8',
  });
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

/** The reply to the pause, and what the run did: the reply must say what happened. */
async function expectHonestPause(bot: BotEnv, goalId: string, repliesBefore: number): Promise<string> {
  await bot.bot.idle();
  const reply = bot
    .replies()
    .slice(repliesBefore)
    .map((r) => r.body)
    .find((body) => /paus/i.test(body));
  expect(
    reply,
    bot
      .replies()
      .map((r) => r.body)
      .join('\n---\n'),
  ).toBeDefined();
  const status = bot.readGoal(goalId).status;
  const merges = bot.server.count({ operationId: 'pulls/merge' });
  if (/→ paused/.test(reply ?? '')) {
    expect(status, reply).toBe('paused');
    expect(merges).toBe(0);
    expect(stateEventTypes(bot.repo.origin, goalId).filter((t) => t === 'goal_paused')).toHaveLength(1);
  } else {
    // Refused: the reply says why, and the goal is not paused behind it.
    expect(reply).toMatch(/cannot pause/i);
    expect(status).not.toBe('paused');
  }
  expect(bot.jobs.filter((j) => j.error !== null)).toEqual([]);
  return reply ?? '';
}

describe('bot in local mode: /omk goal pause at each phase of a run', () => {
  it('after the first slice branch was pushed: paused, and nothing is delivered', async () => {
    const { bot } = await start();
    const commentId = 7_300_001;
    const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
    await bot.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr --merge-policy gated`, { commentId });
    await until('the first slice branch', () => branches(bot.repo.origin, goalId).length > 0);
    const before = bot.replies().length;
    await bot.comment(`/omk goal pause ${goalId}`);
    const reply = await expectHonestPause(bot, goalId, before);
    expect(reply).toMatch(/→ paused/);
    expect(bot.server.state.pulls.size).toBe(0);
  }, 120_000);

  it('while the integrated tree is verified: paused, and nothing is delivered', async () => {
    const { bot, marker } = await start();
    const commentId = 7_300_002;
    const goal = 'fix the multiply test in src/math.js';
    const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
    await bot.comment(`/omk goal run "${goal}" --policy auto-pr --merge-policy gated`, { commentId });
    await until('the integration gate', () => existsSync(marker));
    const before = bot.replies().length;
    await bot.comment(`/omk goal pause ${goalId}`);
    const reply = await expectHonestPause(bot, goalId, before);
    expect(reply).toMatch(/→ paused/);
    expect(bot.server.state.pulls.size).toBe(0);
  }, 120_000);

  it('during delivery: the reply says what happened, and a paused goal is not merged', async () => {
    const { bot } = await start();
    const commentId = 7_300_003;
    const goal = 'fix the multiply test in src/math.js';
    const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
    let before = 0;
    let fired = false;
    bot.server.holdNext('pulls/create', 'after', async () => {
      fired = true;
      before = bot.replies().length;
      await bot.comment(`/omk goal pause ${goalId}`);
      // The reply may wait for the run; the held call is let go after a while either way.
      const deadline = Date.now() + 15_000;
      while (
        Date.now() < deadline &&
        !bot
          .replies()
          .slice(before)
          .some((r) => /paus/i.test(r.body))
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    await bot.comment(`/omk goal run "${goal}" --policy auto-pr --merge-policy gated`, { commentId });
    await until('the first PR creation', () => fired);
    await expectHonestPause(bot, goalId, before);
    expect(fired, 'the pause was sent while the PR creation was held').toBe(true);
  }, 120_000);
});
