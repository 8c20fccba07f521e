import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import {
  BLOCKED_REPAIR_GOAL,
  blockedRepairFiles,
  refsHolding,
  SLIPPED_KEY,
} from '../helpers/blocked-repair.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, startBotEnv } from './harness.js';

/**
 * The bot (local mode) delivering an until-ready goal whose integration repair agent writes a model
 * key into an `.env` file: a blocking security finding on the merged tree. The integration branch
 * holding the key is never pushed; the clean slices' PRs are opened.
 */
describe('a repair agent that writes a model key, delivered by the bot', () => {
  let env: BotEnv;
  let dir: string;
  let goalId = '';

  beforeAll(async () => {
    const { files, agent } = blockedRepairFiles('key');
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-kept-'));
    const script = join(dir, 'agent.mjs');
    await writeFile(script, agent['agent.mjs'] ?? '');
    await chmod(script, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${script}` } });
    await env.repo.commit(files, 'a test the two slices break together');
    // Straight to the bare repository behind the fake (a local path: no HTTP, a sync child is fine).
    git(env.repo.root, 'push', '--quiet', env.repo.origin, 'main');
    const commentId = 7_700_001;
    goalId = newGoalId(BLOCKED_REPAIR_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
    await env.comment(`/omk goal run "${BLOCKED_REPAIR_GOAL}" --policy auto-pr --until-ready`, { commentId });
    await env.bot.idle();
  }, 300_000);
  afterAll(async () => {
    await env?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('repairs the merged tree; the goal is not ready', () => {
    expect(env.readGoal(goalId).status, env.log.slice(-20).join('\n')).toBe('not_ready');
  });

  it('keeps the integration branch local, says why, and pushed no ref holding the key', () => {
    const branch = `omk/${goalId}/integration`;
    expect(env.log.join('\n')).toContain(
      `kept ${branch} on this machine, not pushed: its head holds a change the security review blocks`,
    );
    expect(git(env.repo.origin, 'branch', '--list', branch)).toBe('');
    expect([...env.server.state.pulls.values()].map((pull) => pull.head).sort()).toEqual([
      `omk/${goalId}/s1-update-readme-md`,
      `omk/${goalId}/s2-fix-the-bug-in-src-math-js`,
    ]);
    expect(refsHolding(env.repo.origin, SLIPPED_KEY)).toEqual([]);
  });
});
