import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';

/** Commits the repository's own `.omk/config.yml` on the default branch of the bare repository. */
async function repoConfig(env: BotEnv, lines: readonly string[]): Promise<void> {
  await env.repo.commit({ '.omk/config.yml': `${lines.join('\n')}\n` }, 'omk config');
  git(env.repo.root, 'push', '--quiet', 'origin', 'main');
}

/** A custom agent whose command leaves a marker outside any checkout: proof that it ran. */
const markerAgent = (marker: string) => `      argv: ["sh", "-c", "touch ${marker}"]`;

/**
 * The repository's `.omk/config.yml` is written by whoever can push it; the bot runs no custom
 * agent it defines (not under the operator's agent's name, not as agents.default, not as
 * planner.agent): the goal is refused on the thread before it exists, and nothing runs.
 */
describe('bot: custom agents of the repository config are not run (local mode)', () => {
  let env: BotEnv;
  let dir: string;
  let nextId = 7_600_000;
  const run = async (goal: string) => {
    nextId += 1;
    await env.comment(`/omk goal run "${goal}"`, { commentId: nextId });
    await env.bot.idle();
    return newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${nextId}`));
  };
  const statusOf = (goalId: string) =>
    env.statusComments().find((c) => readStatusMarker(c.body)?.goalId === goalId)?.body ?? '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-custom-'));
    // The operator allows claude; the repository redefines it.
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: 'claude' } });
  });
  afterEach(async () => {
    await env.bot.idle();
    env.server.assertClean();
  });
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses an entry shadowing the operator's agent: nothing runs, no state, a reply says why", async () => {
    const marker = join(dir, 'shadow-ran');
    await repoConfig(env, ['version: 1', 'agents:', '  custom:', '    claude:', markerAgent(marker)]);
    const goalId = await run(`${DEMO_GOAL} (shadow)`);
    expect(existsSync(marker)).toBe(false);
    expect(env.stateGoals()).not.toContain(goalId);
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const status = statusOf(goalId);
    expect(readStatusMarker(status)).toEqual({ goalId, phase: 'settled' });
    expect(status).toContain(': not started');
    expect(status).not.toContain('starting');
    expect(status).toContain('.omk/config.yml defines agents.custom.claude');
    expect(status).toContain('nothing was run');
    expect(status).toContain('Remove agents.custom.claude from .omk/config.yml');
    expect(status).toContain('in .github/omk.yml and ask the app');
    expect(env.server.state.pulls.size).toBe(0);
    expect(await leftovers(env)).toEqual([]);
  });

  it('refuses planner.agent naming a custom agent, before it plans', async () => {
    const marker = join(dir, 'planner-ran');
    await repoConfig(env, [
      'version: 1',
      'planner:',
      '  agent: helper',
      'agents:',
      '  custom:',
      '    helper:',
      markerAgent(marker),
    ]);
    const goalId = await run(`${DEMO_GOAL} (planner)`);
    expect(existsSync(marker)).toBe(false);
    expect(env.stateGoals()).not.toContain(goalId);
    const status = statusOf(goalId);
    expect(status).toContain('.omk/config.yml defines agents.custom.helper');
    expect(status).toContain('planner.agent names it');
  });
});

describe('bot: a repository config whose custom agents the goal does not use (local mode)', () => {
  let env: BotEnv;
  let dir: string;
  const commentId = 7_600_100;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-custom-'));
    env = await startBotEnv({ mode: 'local' });
    // Shared with CLI users, who may run their own agent; the bot runs the operator's (demo).
    await repoConfig(env, [
      'version: 1',
      'agents:',
      '  custom:',
      '    mine:',
      markerAgent(join(dir, 'mine-ran')),
    ]);
    await env.comment(`/omk goal run "${DEMO_GOAL}"`, { commentId });
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the goal as before, with the operator agent, and never the unused entry', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('ready');
    expect(existsSync(join(dir, 'mine-ran'))).toBe(false);
    env.server.assertClean();
  });
});
