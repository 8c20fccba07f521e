import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import type { FakePull } from '../fake-github/state.js';
import { git } from '../helpers/git-repo.js';
import { OWNER, REPO } from '../helpers/github.js';
import { reviewCommentPayload } from './fix-payloads.js';
import { APP_LOGIN, type BotEnv, COMMENTER, leftovers, startBotEnv } from './harness.js';

/** Commits the repository's own `.omk/config.yml` on the default branch of the bare repository. */
async function repoConfig(env: BotEnv, lines: readonly string[]): Promise<void> {
  await env.repo.commit({ '.omk/config.yml': `${lines.join('\n')}\n` }, 'omk config');
  git(env.repo.root, 'push', '--quiet', 'origin', 'main');
}

const stateHead = (env: BotEnv) => git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state').trim();

/**
 * A goal that exists already is fixed and resumed with the agent the app runs: a repository config
 * pushed since, defining that agent (agents.custom) or adding arguments or environment names to it
 * (agents.settings), is refused before the goal's state is written, and nothing runs.
 */
describe('bot: a review fix with the repository config defining or extending the agent (local mode)', () => {
  let env: BotEnv;
  let dir: string;
  const commentId = 7_600_300;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const branch = `omk/${goalId}/integration`;
  let delivery = 0;
  const integrator = (): FakePull => {
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    return pull;
  };
  const branchHead = () => git(env.repo.origin, 'rev-parse', `refs/heads/${branch}`).trim();

  /** A review comment on the integrator PR asking for a change; the app's replies in its thread. */
  async function askForFix(): Promise<string[]> {
    const pull = integrator();
    const comment = await env.server.addReviewComment(pull.number, {
      user: COMMENTER,
      path: 'src/math.js',
      line: 2,
      body: 'Please add a VERSION export here.',
    });
    const payload = reviewCommentPayload(
      env.server,
      { number: pull.number, branch },
      { ...comment, user: COMMENTER },
    );
    delivery += 1;
    const sent = await env.deliver('pull_request_review_comment', payload, {
      id: `untrusted-fix-${delivery}`,
    });
    expect(sent.status).toBe(200);
    await env.bot.idle();
    return env.server.state.comments
      .filter((c) => c.issueNumber === pull.number && c.user === APP_LOGIN)
      .map((c) => c.body);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-custom-'));
    env = await startBotEnv({ mode: 'local' });
    await env.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr`, { commentId });
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('ready');
  }, 240_000);
  afterEach(() => env.server.assertClean());
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses an agents.custom entry named as the app's agent: no agent ran, no commit, no state written", async () => {
    const marker = join(dir, 'custom-fix-ran');
    await repoConfig(env, [
      'version: 1',
      'agents:',
      '  custom:',
      '    demo:',
      `      argv: ["sh", "-c", "touch ${marker}"]`,
    ]);
    const before = { head: branchHead(), state: stateHead(env) };
    const replies = await askForFix();
    expect(existsSync(marker)).toBe(false);
    expect(branchHead()).toBe(before.head);
    expect(stateHead(env)).toBe(before.state);
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const refusal = replies.find((body) => body.includes('Not fixed'));
    expect(refusal).toContain(
      'Not fixed: .omk/config.yml defines agents.custom.demo, a custom agent, and the fix would run it',
    );
    expect(refusal).toContain('nothing was run');
    expect(await leftovers(env)).toEqual([]);
  }, 120_000);

  it('refuses agents.settings adding arguments to the agent, before the fix', async () => {
    await repoConfig(env, [
      'version: 1',
      'agents:',
      '  settings:',
      '    demo:',
      '      extraArgs: ["--mcp-config", "{\\"mcpServers\\":{}}"]',
    ]);
    const before = { head: branchHead(), state: stateHead(env) };
    const replies = await askForFix();
    expect(branchHead()).toBe(before.head);
    expect(stateHead(env)).toBe(before.state);
    const refusal = replies.filter((body) => body.includes('Not fixed')).at(-1) ?? '';
    expect(refusal).toContain('Not fixed: .omk/config.yml sets "agents.settings.demo.extraArgs"');
    expect(refusal).toContain('Remove "agents.settings.demo.extraArgs" from .omk/config.yml');
  }, 120_000);
});

describe('bot: resuming a goal after the repository config extended its agent (local mode)', () => {
  let env: BotEnv;
  let agentDir: string;
  let agent = '';
  const commentId = 7_600_400;
  const goal = 'fix the multiply test in src/math.js';
  const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));

  beforeAll(async () => {
    agentDir = await mkdtemp(join(tmpdir(), 'omk-slow-agent-'));
    agent = join(agentDir, 'slow.mjs');
    // A slice's run lasts until the test has paused the goal (a file it writes then), so the pause
    // lands while it runs however loaded the machine; the resumed run's agent then ends at once.
    // Asked to plan, it answers nothing at once (the heuristic plans).
    const paused = join(agentDir, 'paused');
    await writeFile(
      agent,
      [
        '#!/usr/bin/env node',
        "import { existsSync } from 'node:fs';",
        "if (process.env.OMK_TASK_ID === 'plan') process.exit(0);",
        'const deadline = Date.now() + 60_000;',
        `const wait = () => { if (!existsSync(${JSON.stringify(paused)}) && Date.now() < deadline) setTimeout(wait, 25); };`,
        'wait();',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
    await env.comment(`/omk goal run "${goal}" --policy draft-pr`, { commentId });
    for (let i = 0; i < 600 && !env.bot.active.has(goalId); i += 1)
      await new Promise((r) => setTimeout(r, 25));
    expect(env.bot.active.has(goalId)).toBe(true);
    await env.comment(`/omk goal pause ${goalId}`);
    await env.bot.idle();
    expect(env.readGoal(goalId).status).toBe('paused');
    await writeFile(paused, '');
  }, 120_000);
  afterAll(async () => {
    await env.close();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('refuses the resume before it resumes: the goal stays paused, its state untouched', async () => {
    await repoConfig(env, [
      'version: 1',
      'agents:',
      '  settings:',
      `    ${JSON.stringify(`script:${agent}`)}:`,
      '      env: ["OMK_BOT_PRIVATE_KEY"]',
    ]);
    const state = stateHead(env);
    await env.comment(`/omk goal resume ${goalId}`);
    await env.bot.idle();
    const reply = env.replies().at(-1)?.body ?? '';
    expect(reply).toContain('Not resumed: .omk/config.yml sets "agents.settings.script:');
    expect(reply).toContain('.env"');
    expect(reply).not.toContain('Continuing it here');
    expect(env.readGoal(goalId).status).toBe('paused');
    expect(stateHead(env)).toBe(state);
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(await leftovers(env)).toEqual([]);
    env.server.assertClean();

    // Without the entry the same resume goes ahead: the refusal was the config's.
    await repoConfig(env, ['version: 1']);
    // Another writer: the same line from the same author soon after is taken as a repeat.
    env.server.setPermission('other-dev', 'write');
    await env.comment(`/omk goal resume ${goalId}`, { login: 'other-dev' });
    await env.bot.idle();
    expect(env.replies().at(-1)?.body).toContain('Continuing it here');
    expect(['ready', 'not_ready']).toContain(env.readGoal(goalId).status);
  }, 120_000);
});
