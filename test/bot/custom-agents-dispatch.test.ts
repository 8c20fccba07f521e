import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, startBotEnv } from './harness.js';

/**
 * actions mode runs agents on the repository's runner, but plans in the bot's process: a
 * planner.agent naming the repository's own custom agent is refused there before the goal exists,
 * and nothing is dispatched.
 */
describe('bot: custom agents of the repository config (actions mode)', () => {
  let env: BotEnv;
  let dir: string;
  const commentId = 7_600_200;
  const goal = `${DEMO_GOAL} (dispatch)`;
  const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  let marker = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-custom-'));
    marker = join(dir, 'planner-ran');
    env = await startBotEnv({});
    const config = [
      'version: 1',
      'planner:',
      '  agent: helper',
      'agents:',
      '  custom:',
      '    helper:',
      `      argv: ["sh", "-c", "touch ${marker}"]`,
      '',
    ];
    await env.repo.commit({ '.omk/config.yml': config.join('\n') }, 'omk config');
    git(env.repo.root, 'push', '--quiet', 'origin', 'main');
    await env.comment(`/omk goal run "${goal}"`, { commentId });
    await env.bot.idle();
  }, 120_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses on the thread before planning: no marker, no goal on the state branch, no dispatch', () => {
    expect(existsSync(marker)).toBe(false);
    expect(env.stateGoals()).not.toContain(goalId);
    expect(env.server.state.dispatches).toEqual([]);
    const status = env.statusComments().find((c) => readStatusMarker(c.body)?.goalId === goalId)?.body ?? '';
    expect(readStatusMarker(status)).toEqual({ goalId, phase: 'settled' });
    expect(status).toContain('.omk/config.yml defines agents.custom.helper');
    expect(status).toContain('planner.agent names it');
    env.server.assertClean();
  });
});
