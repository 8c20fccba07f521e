import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, leftovers, startBotEnv } from './harness.js';
import { checkSuitePayload, reviewPayload } from './payloads.js';

/** The slow agent goes on after this even if the test never lets it go (it failed first). */
const AGENT_HOLD_LIMIT_MS = 100_000;

/**
 * local mode: the bot clones the repository with the installation token into a temp dir, runs the
 * demo agent on the demo fixture in-process, delivers PRs to the fake GitHub, and removes the
 * checkout. Then the gated merge happens on the event that turns the last check green.
 */
describe('bot in local mode: a real run, then an event-driven gated merge', () => {
  let env: BotEnv;
  const commentId = 7_200_001;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const integrationBranch = `omk/${goalId}/integration`;
  const integrator = () => [...env.server.state.pulls.values()].find((p) => p.head === integrationBranch);

  beforeAll(async () => {
    env = await startBotEnv({ mode: 'local' });
    env.server.setProtection('main', { requiredContexts: ['ci'], requiredApprovals: 0 });
    const delivery = await env.comment(
      `/omk goal run "${DEMO_GOAL}" --policy auto-pr --merge-policy gated --until-ready --max-agents 2`,
      { commentId },
    );
    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeLessThan(2000);
    await env.bot.idle();
  }, 240_000);
  afterEach(() => env.server.assertClean());
  afterAll(async () => {
    await env.close();
  });

  it('ran the goal to a ready proof and opened the slice PRs and the integrator PR', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const heads = [...env.server.state.pulls.values()].map((p) => p.head).sort();
    expect(heads).toEqual(
      [
        `omk/${goalId}/s1-fix-the-failing-test-in-src-math-js`,
        `omk/${goalId}/s2-add-a-regression-test`,
        integrationBranch,
      ].sort(),
    );
    expect(env.readGoal(goalId).status).toBe('ready');
    expect(env.server.state.dispatches).toEqual([]);
  });

  it('removed every temporary checkout', async () => {
    expect(env.workspaces.created.length).toBeGreaterThan(0);
    expect(env.workspaces.removed).toEqual(env.workspaces.created);
    expect(await leftovers(env)).toEqual([]);
  });

  it('kept one status comment, updated in place, with PR links and the merge verdict', () => {
    const statuses = env.statusComments();
    expect(statuses).toHaveLength(1);
    const body = statuses[0]?.body ?? '';
    expect(readStatusMarker(body)).toEqual({ goalId, phase: 'settled' });
    expect(body).toContain(`${env.server.url}/${OWNER}/${REPO}/pull/`);
    expect(body).toContain('merge blocked by checks\\_pending (PR \\#');
    expect(body).toContain('checks\\_pending');
    expect(body).toContain('**Gates:**');
    expect(env.server.count('issues/update-comment')).toBeGreaterThan(0);
  });

  it('still says the merge verdict after a refresh: it is read from the events, not the last call', async () => {
    await env.comment('/omk goal status');
    await env.bot.idle();
    const statuses = env.statusComments();
    expect(statuses).toHaveLength(1);
    const body = statuses[0]?.body ?? '';
    // Said once, in the progress: the merge's own note no longer repeats it.
    expect(body.split('merge blocked by checks\\_pending (PR \\#')).toHaveLength(2);
    expect(body).toContain('- ⛔ merge blocked by checks\\_pending (PR \\#');
  });

  it('re-delivers on /omk goal open-pr without opening anything twice', async () => {
    const opened = env.server.count('pulls/create');
    await env.comment('/omk goal open-pr');
    await env.bot.idle();
    expect(env.server.count('pulls/create')).toBe(opened);
    expect(env.server.count('pulls/update')).toBeGreaterThanOrEqual(3);
    expect(env.replies().at(-1)?.body).toContain('integrator: PR');
    expect(env.statusComments()).toHaveLength(1);
    expect(await leftovers(env)).toEqual([]);
  });

  it('re-evaluates on a review but does not merge while ci is missing', async () => {
    const pull = integrator();
    if (!pull) throw new Error('no integrator PR');
    const delivery = await env.deliver(
      'pull_request_review',
      reviewPayload(env.server, integrationBranch, pull.number),
    );
    expect(delivery.status).toBe(200);
    await env.bot.idle();
    expect(env.server.count('pulls/merge')).toBe(0);
    expect(pull.merged).toBe(false);
    expect(env.readGoal(goalId).status).toBe('ready');
  });

  it('merges on check_suite.completed once the last check turned green', async () => {
    const pull = integrator();
    if (!pull) throw new Error('no integrator PR');
    env.server.setStatus(pull.headSha, 'ci', 'success');
    const payload = checkSuitePayload(env.server, integrationBranch, pull.headSha);
    const [first, second] = await Promise.all([
      env.deliver('check_suite', payload),
      env.deliver('check_suite', payload),
    ]);
    expect([first?.status, second?.status]).toEqual([200, 200]);
    await env.bot.idle();
    expect(pull.merged).toBe(true);
    expect(env.server.count('pulls/merge')).toBe(1);
    expect(env.readGoal(goalId).status).toBe('merged');
    const statuses = env.statusComments();
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.body).toContain('#### Final summary');
    expect(statuses[0]?.body).toContain('- Outcome: merged into `main`');
    expect(await leftovers(env)).toEqual([]);
  });

  it('ignores checks on branches that are not integrator branches', async () => {
    const before = env.server.count();
    await env.deliver('check_suite', checkSuitePayload(env.server, 'feature/x', 'a'.repeat(40)));
    await env.bot.idle();
    expect(env.server.count()).toBe(before);
  });
});

/**
 * Pause and resume need the pause to land while an agent runs: this bot's agent waits until the
 * test let it go (a file), which the test does once the bot answered the pause, so the pause lands
 * while it runs, deterministically and whatever the load (with the instant demo agent the pause
 * could land in any phase). Once let go, it (and every later run of it) ends at once.
 */
describe('bot in local mode: pause and resume while an agent runs', () => {
  let slow: BotEnv;
  let agentDir: string;
  let release: string;

  beforeAll(async () => {
    agentDir = await mkdtemp(join(tmpdir(), 'omk-slow-agent-'));
    const agent = join(agentDir, 'slow.mjs');
    release = join(agentDir, 'release');
    await writeFile(
      agent,
      [
        '#!/usr/bin/env node',
        "import { existsSync } from 'node:fs';",
        // Asked to plan, it answers no plan at once (the heuristic plans): only the slice waits.
        "if (process.env.OMK_TASK_ID === 'plan') process.exit(0);",
        `const deadline = Date.now() + ${AGENT_HOLD_LIMIT_MS};`,
        `while (!existsSync(${JSON.stringify(release)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));`,
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    slow = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
  }, 120_000);
  afterAll(async () => {
    // A test that failed before it let the agent go must not leave it waiting.
    await writeFile(release, '').catch(() => {});
    await slow.close();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('pauses a goal running in this process, then resumes it here', async () => {
    const paused = 7_200_050;
    const other = newGoalId(
      'fix the multiply test in src/math.js',
      threadIdSuffix(`${OWNER}/${REPO}#${paused}`),
    );
    await slow.comment('/omk goal run "fix the multiply test in src/math.js" --policy draft-pr', {
      commentId: paused,
    });
    // The run holds its agent, so it stays active: a loaded machine may take long to get there.
    const activeBy = Date.now() + AGENT_HOLD_LIMIT_MS;
    while (Date.now() < activeBy && !slow.bot.active.has(other)) await new Promise((r) => setTimeout(r, 25));
    expect(slow.bot.active.has(other)).toBe(true);
    const before = slow.replies().length;
    await slow.comment(`/omk goal pause ${other}`);
    // The reply that says what the pause did; then the agent may end.
    const deadline = Date.now() + AGENT_HOLD_LIMIT_MS;
    while (
      Date.now() < deadline &&
      !slow
        .replies()
        .slice(before)
        .some((r) => r.body.includes('→ paused') || /cannot pause/i.test(r.body))
    )
      await new Promise((r) => setTimeout(r, 25));
    await writeFile(release, '');
    await slow.bot.idle();
    expect(slow.replies().some((r) => r.body.includes('running → paused'))).toBe(true);
    expect(slow.readGoal(other).status).toBe('paused');
    await slow.comment(`/omk goal resume ${other}`);
    await slow.bot.idle();
    expect(slow.replies().at(-1)?.body).toContain('Continuing it here');
    expect(['ready', 'not_ready']).toContain(slow.readGoal(other).status);
    expect(slow.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(await leftovers(slow)).toEqual([]);
  }, 240_000);
});
