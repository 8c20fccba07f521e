import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { threadIdSuffix } from '../../src/runtime/app/index.js';
import { newGoalId } from '../../src/runtime/goal/ids.js';
import { OWNER, REPO } from '../helpers/github.js';
import { type BotEnv, startBotEnv } from './harness.js';
import { checkSuitePayload } from './payloads.js';

/** Every body the status comment of `goalId` had, in order (created, then each edit). */
function statusBodies(env: BotEnv, goalId: string): string[] {
  return env.server.requests
    .filter((r) => r.operationId === 'issues/create-comment' || r.operationId === 'issues/update-comment')
    .map((r) => (r.body as { body: string }).body)
    .filter((body) => readStatusMarker(body)?.goalId === goalId);
}

/** Calls the status comment cost: lookups of the thread, creations and edits. */
function statusCalls(env: BotEnv): number {
  return env.server.count('issues/list-comments') + env.server.count('issues/update-comment');
}

/**
 * local mode: the status comment follows the run by its events (planned, each slice, integrated,
 * PRs opened, merged), coalesced so a burst is one edit; and a run that fails says what failed and
 * what to do, in words.
 */
describe('bot status comment: one edit per phase while a goal runs here', () => {
  let env: BotEnv;
  const commentId = 7_300_001;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));

  beforeAll(async () => {
    // The production gap between edits: this run counts the calls its coalescing saves.
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_STATUS_GAP_MS: '1000' } });
    // Merge commits off: the bot merges with the first method the repository allows.
    env.server.state.mergeMethods = { merge: false, squash: true, rebase: true };
    await env.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr --merge-policy gated`, { commentId });
    await env.bot.idle();
    // The gated merge waits for CI: green, and the check_suite event merges it.
    const integrator = [...env.server.state.pulls.values()].find((p) => p.head.endsWith('/integration'));
    if (!integrator) throw new Error('no integrator PR');
    env.server.setStatus(integrator.headSha, 'ci', 'success');
    await env.deliver('check_suite', checkSuitePayload(env.server, integrator.head, integrator.headSha));
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
  });

  it('showed the phases in order in one comment, ending merged', () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.statusComments()).toHaveLength(1);
    const bodies = statusBodies(env, goalId);
    const first = (needle: string) => bodies.findIndex((body) => body.includes(needle));
    const planned = first('- 📝 planned: 2 slice(s)');
    const sliceDone = first('` done after 1 attempt');
    const integrated = first('- ✅ integrated');
    const pulls = first('- 🔗 pull requests: [');
    const merged = first('- 🎉 merged into `main`');
    expect(planned).toBeGreaterThanOrEqual(0);
    expect(sliceDone).toBeGreaterThan(planned);
    expect(integrated).toBeGreaterThanOrEqual(sliceDone);
    expect(pulls).toBeGreaterThanOrEqual(integrated);
    expect(merged).toBeGreaterThanOrEqual(pulls);
    // At least one edit landed while it ran, before the settled one.
    expect(
      bodies.some((body) => readStatusMarker(body)?.phase === 'running' && body.includes('` done after')),
    ).toBe(true);
    expect(readStatusMarker(bodies.at(-1) ?? '')?.phase).toBe('settled');
    expect(bodies.at(-1)).toContain('#### Final summary');
  });

  it('merged with squash, the first method the repository allows (merge commits are off)', () => {
    const merges = env.server.requests.filter((r) => r.operationId === 'pulls/merge');
    expect(merges.map((r) => (r.body as { merge_method?: string }).merge_method)).toEqual(['squash']);
    expect(merges.map((r) => r.status)).toEqual([200]);
    expect(
      env.log.some((line) => line.includes('merging with squash: the first method the repository allows')),
    ).toBe(true);
  });

  it('kept the calls per goal low: one call per edit, never the same body twice', () => {
    const bodies = statusBodies(env, goalId);
    expect(new Set(bodies).size).toBe(bodies.length);
    // The comment is found once; each later edit goes straight to it.
    expect(env.server.count('issues/list-comments')).toBeLessThanOrEqual(2);
    expect(statusCalls(env)).toBeLessThanOrEqual(12);
  });
});

describe('bot status comment: a failing run says what failed and what to do', () => {
  let env: BotEnv;
  let agentDir: string;
  const commentId = 7_300_101;
  const goal = 'fix the failing test in src/math.js';
  const goalId = newGoalId(goal, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));

  beforeAll(async () => {
    agentDir = await mkdtemp(join(tmpdir(), 'omk-failing-agent-'));
    const agent = join(agentDir, 'fail.mjs');
    // An agent that crashes like a tool does: a stack trace, a temp path and a git command line.
    await writeFile(
      agent,
      '#!/usr/bin/env node\n' +
        "console.error('fatal: git push origin HEAD failed in ' + process.cwd());\n" +
        "console.error(new Error('agent crashed').stack);\n" +
        'process.exit(1);\n',
    );
    await chmod(agent, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
    await env.comment(`/omk goal run "${goal}" --policy draft-pr`, { commentId });
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('ends with a comment that names the failed slice and the next steps, in words', () => {
    const statuses = env.statusComments();
    expect(statuses).toHaveLength(1);
    const body = statuses[0]?.body ?? '';
    expect(readStatusMarker(body)).toEqual({ goalId, phase: 'settled' });
    expect(body).toMatch(/- 🟡 slice `s1[^`]*` not done after 1 attempt, attempts left for a resume/);
    expect(body).toContain('**What failed:** slice(s) s1');
    expect(body).toContain('did not pass their gates in this run');
    expect(body).toContain(`'/omk goal proof ${goalId}'`);
    expect(body).toContain(`'/omk goal resume ${goalId}'`);
  });

  it('holds no temp path, stack frame or git command line, in any version of it', () => {
    const bodies = statusBodies(env, goalId);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) {
      expect(body).not.toContain(env.workDir);
      expect(body).not.toContain(tmpdir());
      expect(body).not.toMatch(/\bat \S+ \(|\bat file:|agent crashed/);
      expect(body).not.toMatch(/\bgit (?:-c|push|fetch|clone|merge|worktree)\b/);
    }
  });
});
