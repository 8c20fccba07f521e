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
// integrated tree is being verified, and during delivery (the fake GitHub holds the answer to the
// first PR creation). Whatever the bot replies must be what happened: "paused" only when the run's
// own goal is paused (and then it delivers and merges nothing, and goal_paused reaches the state
// branch), otherwise a refusal that says why. In the first two, the integration gate waits for the
// test (a file), not for a time (it took 4 s), until the bot answered the pause: on a loaded
// machine a run could get past a gate of a fixed time before the pause arrived, and deliver. The
// second slice's agent waits for the same file (it slept 4 s, and so did the planning agent).

/** A held gate goes on after this even if the test never lets it go (it failed first). */
const RELEASE_LIMIT_MS = 180_000;
/**
 * A bound on each phase the test waits for, and on each test: a run of this file's goal took over
 * a minute under load above 20 (2 cores), where a 60 s wait for its first branch ran out.
 */
const PHASE_LIMIT_MS = 180_000;
const TEST_LIMIT_MS = 300_000;

let env: BotEnv | undefined;
let dir = '';
afterEach(async () => {
  // A test that failed before it let the run go on must not leave the gate waiting.
  if (dir) await writeFile(join(dir, 'release'), '').catch(() => {});
  await env?.close();
  env = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Touches the slice's files. Asked to plan, it answers no plan at once (the heuristic plans); a
 * slice other than the first first waits for the test to let it go (a file, not a time), so it is
 * still running when the first slice's branch is pushed and the pause arrives.
 */
const agent = (release: string) => `#!/usr/bin/env node
import { appendFileSync, existsSync, statSync } from 'node:fs';
const id = process.env.OMK_TASK_ID ?? '';
if (id === 'plan') process.exit(0);
const deadline = Date.now() + ${RELEASE_LIMIT_MS};
if (!id.startsWith('s1-'))
  while (!existsSync(${JSON.stringify(release)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
// A directory in the write set (a lone fix's test directory) holds files of its own: only files are touched.
for (const path of JSON.parse(process.env.OMK_WRITES ?? '[]'))
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) appendFileSync(path, '\\n// touched\\n');
`;

/**
 * The test gate: on the integration worktree it leaves a marker and waits for the test to let it
 * go (a file), so the integrated tree is being verified for as long as the test needs.
 */
const gate = (marker: string, release: string) => `import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
if (process.cwd().includes('integration')) {
  writeFileSync(${JSON.stringify(marker)}, 'x');
  const deadline = Date.now() + ${RELEASE_LIMIT_MS};
  while (!existsSync(${JSON.stringify(release)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}
process.exit(spawnSync(process.execPath, ['--test', 'test/'], { stdio: 'inherit' }).status ?? 1);
`;

interface Race {
  bot: BotEnv;
  marker: string;
  /** Lets the held integration gate, and a held slice, go on. */
  release(): Promise<void>;
}

/**
 * `held`: the integration gate and the agents of the slices after the first wait for the test to
 * let them go; otherwise they go on at once.
 */
async function start(held: boolean): Promise<Race> {
  dir = await mkdtemp(join(tmpdir(), 'omk-pause-race-'));
  const script = join(dir, 'agent.mjs');
  const marker = join(dir, 'integrating');
  const release = join(dir, 'release');
  await writeFile(script, agent(release));
  await chmod(script, 0o755);
  if (!held) await writeFile(release, '');
  const bot = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${script}` } });
  env = bot;
  const pkg = JSON.parse(
    execFileSync('git', ['show', 'HEAD:package.json'], { cwd: bot.repo.root, encoding: 'utf8' }),
  );
  pkg.scripts.test = 'node gate.mjs';
  // A setup step makes omk prepare every worktree, so the integration runs its own gates rather
  // than taking the one slice's results for the same tree (gates/reuse.ts): that run is the one held.
  const config = ['version: 1', 'workspace:', '  setup:', '    - ["node", "-e", "0"]', ''].join('\n');
  await bot.repo.commit(
    {
      'gate.mjs': gate(marker, release),
      'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
      '.omk/config.yml': config,
    },
    'slow gate',
  );
  git(bot.repo.root, 'push', '--quiet', 'origin', 'main');
  return {
    bot,
    marker,
    release: () => writeFile(release, ''),
  };
}

/**
 * Sends the pause while the integration gate is held, and lets the run go on once the bot
 * answered it: the pause lands before delivery, whatever the load.
 */
async function pauseWhileHeld(race: Race, goalId: string): Promise<number> {
  const before = race.bot.replies().length;
  await race.bot.comment(`/omk goal pause ${goalId}`);
  await until('the reply to the pause', () =>
    race.bot
      .replies()
      .slice(before)
      .some((r) => /paus/i.test(r.body)),
  );
  await race.release();
  return before;
}

async function until(what: string, check: () => boolean, ms = PHASE_LIMIT_MS): Promise<void> {
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
  it(
    'after the first slice branch was pushed: paused, and nothing is delivered',
    async () => {
      const race = await start(true);
      const { bot } = race;
      const commentId = 7_300_001;
      const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
      await bot.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr --merge-policy gated`, { commentId });
      await until('the first slice branch', () => branches(bot.repo.origin, goalId).length > 0);
      const before = await pauseWhileHeld(race, goalId);
      const reply = await expectHonestPause(bot, goalId, before);
      expect(reply).toMatch(/→ paused/);
      expect(bot.server.state.pulls.size).toBe(0);
    },
    TEST_LIMIT_MS,
  );

  it(
    'while the integrated tree is verified: paused, and nothing is delivered',
    async () => {
      const race = await start(true);
      const { bot, marker } = race;
      const commentId = 7_300_002;
      const goal = 'fix the multiply test in src/math.js';
      const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
      await bot.comment(`/omk goal run "${goal}" --policy auto-pr --merge-policy gated`, { commentId });
      await until('the integration gate', () => existsSync(marker));
      const before = await pauseWhileHeld(race, goalId);
      const reply = await expectHonestPause(bot, goalId, before);
      expect(reply).toMatch(/→ paused/);
      expect(bot.server.state.pulls.size).toBe(0);
    },
    TEST_LIMIT_MS,
  );

  it(
    'during delivery: the reply says what happened, and a paused goal is not merged',
    async () => {
      const { bot } = await start(false);
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
    },
    TEST_LIMIT_MS,
  );
});
