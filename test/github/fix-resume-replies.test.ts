import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { createGitHubEnv, demoRunArgs, type GitHubEnv, pullsOf, runDemoGoal } from '../helpers/github.js';
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';

/**
 * A review fix whose controller died is ended by whichever run resumes it. On a goal delivered to
 * GitHub, the CLI's `omk goal resume` answers the review thread through the GitHub forge it
 * composes (no front door passes it an answerer), resolves it, and a second resume answers nothing.
 */
describe('omk goal resume ends a GitHub goal review fix: answered in its thread, once', () => {
  let gh: GitHubEnv;
  let agentDir: string;
  let agent = '';
  let id = '';

  beforeAll(async () => {
    gh = await createGitHubEnv();
    agentDir = await mkdtemp(join(tmpdir(), 'omk-fix-resume-agent-'));
    agent = `script:${join(agentDir, 'agent.mjs')}`;
    await writeFile(join(agentDir, 'agent.mjs'), AGENT);
    await chmod(join(agentDir, 'agent.mjs'), 0o755);
    id = await runDemoGoal(gh, demoRunArgs({ agent, mergePolicy: null, forge: 'github' }));
  }, 180_000);
  afterAll(async () => {
    await gh.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('answers and resolves the thread of a fix the resume ran, and never twice', async () => {
    const integrator = pullsOf(gh.server).find((pull) => pull.head.endsWith('/integration'));
    if (!integrator) throw new Error('no integrator PR');
    const branch = `omk/${id}/integration`;
    const before = gh.bareSha(branch);
    const comment = await gh.server.addReviewComment(integrator.number, {
      user: 'octo-reviewer',
      path: 'src/math.js',
      line: 2,
      body: 'Please add a VERSION export.',
    });
    // The fix was asked (its event and task recorded) and its controller died before the agent ran.
    const dir = join(gh.stateDir, 'goals', id);
    const request = {
      id: `review-comment:${comment.id}`,
      text: 'add a VERSION export',
      path: 'src/math.js',
      line: 2,
      author: 'octo-reviewer',
      replyTo: comment.id,
    };
    const graph = JSON.parse(await readFile(join(dir, 'task-graph.json'), 'utf8')) as { fixes?: unknown[] };
    graph.fixes = [
      {
        id: 'fix-1',
        fix: 1,
        pr: integrator.number,
        sliceId: null,
        requests: [request],
        status: 'pending',
        attempts: 0,
        result: null,
      },
    ];
    await writeFile(join(dir, 'task-graph.json'), JSON.stringify(graph));
    const goalFile = join(dir, 'goal.json');
    const goal = JSON.parse(await readFile(goalFile, 'utf8')) as Record<string, unknown>;
    const now = new Date().toISOString();
    const controller = { pid: 2_147_483, host: hostname(), startedAt: now, heartbeatAt: now };
    await writeFile(
      goalFile,
      JSON.stringify({ ...goal, status: 'interrupted', resumeTo: 'running', controller }),
    );

    const resumed = await gh.omk('goal', 'resume', id, '--agent', agent, '--forge', 'github', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = gh.bareSha(branch);
    expect(after).not.toBe(before);
    expect(git(gh.repo.origin, 'show', `${after}:src/math.js`)).toContain('export const VERSION = 2;');
    const replies = () => gh.server.state.reviewComments.filter((c) => c.inReplyTo === comment.id);
    expect(replies().map((reply) => reply.body)).toEqual([
      expect.stringContaining(`omk pushed a fix to this PR: ${after?.slice(0, 12)}`),
    ]);
    expect(gh.server.state.resolvedThreads.has(comment.id)).toBe(true);

    // Its controller dies again after it ended the fix: the next resume answers nothing again.
    const ready = JSON.parse(await readFile(goalFile, 'utf8')) as Record<string, unknown>;
    await writeFile(
      goalFile,
      JSON.stringify({ ...ready, status: 'interrupted', resumeTo: 'running', controller }),
    );
    const again = await gh.omk('goal', 'resume', id, '--agent', agent, '--forge', 'github', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(replies()).toHaveLength(1);
    const events = (await gh.omk('goal', 'replay', id, '--json')).stdout;
    expect(events.match(/"type":"fix_applied"/g)).toHaveLength(1);
    gh.server.assertClean();
  }, 180_000);
});
