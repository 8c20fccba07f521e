import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';
import { type ActionEnv, createActionEnv } from './harness.js';

/**
 * The Action's `run`, rerun in the same workflow run, continues the goal it finds on the state
 * branch. A review fix asked there and not ended (its job was killed) is ended by that `run`: the
 * review thread gets one reply naming the fix commit, through the GitHub forge's own answerer
 * (the `run` step passes none), and a further rerun answers nothing again.
 */
describe('command: run continuing a goal with a review fix its killed job left', () => {
  let env: ActionEnv;
  let goalId = '';
  let branch = '';
  let pr = 0;
  let attempt = 1;
  const agent = 'script:./agent.mjs';
  const head = () => git(env.repo.origin, 'rev-parse', `refs/heads/${branch}`).trim();
  const repliesTo = (id: number) => env.server.state.reviewComments.filter((c) => c.inReplyTo === id);
  /** The same workflow run again (GITHUB_RUN_ID kept), as "Re-run jobs" does: the goal is continued. */
  const rerun = () => {
    attempt += 1;
    return env.run({ goal: DEMO_GOAL, agent, policy: 'auto-pr' }, { GITHUB_RUN_ATTEMPT: String(attempt) });
  };

  /** Edits the goal on `omk/state` as the killed job left it, from another clone. */
  async function editStateBranch(edit: (files: StateFiles) => void): Promise<void> {
    const dir = await mkdtemp(join(env.runnerTemp, 'killed-job-'));
    try {
      execFileSync('git', ['clone', '--quiet', '--branch', 'omk/state', env.repo.origin, dir]);
      const goalDir = join(dir, 'goals', goalId);
      const files: StateFiles = {
        goal: JSON.parse(await readFile(join(goalDir, 'goal.json'), 'utf8')) as Record<string, unknown>,
        graph: JSON.parse(await readFile(join(goalDir, 'task-graph.json'), 'utf8')) as GraphFile,
      };
      edit(files);
      await writeFile(join(goalDir, 'goal.json'), `${JSON.stringify(files.goal, null, 2)}\n`);
      await writeFile(join(goalDir, 'task-graph.json'), `${JSON.stringify(files.graph, null, 2)}\n`);
      git(
        dir,
        '-c',
        'user.name=omk',
        '-c',
        'user.email=omk@example.com',
        'commit',
        '-q',
        '-am',
        'killed job',
      );
      git(dir, 'push', '--quiet', 'origin', 'omk/state');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function reviewComment(body: string): Promise<{ id: number; request: Record<string, unknown> }> {
    const comment = await env.server.addReviewComment(pr, {
      user: 'octo-reviewer',
      path: 'src/math.js',
      line: 2,
      body,
    });
    const request = {
      id: `review-comment:${comment.id}`,
      text: body,
      path: 'src/math.js',
      line: 2,
      author: 'octo-reviewer',
      replyTo: comment.id,
    };
    return { id: comment.id, request };
  }

  beforeAll(async () => {
    env = await createActionEnv({ executables: { 'agent.mjs': AGENT } });
    env.server.setPermission('octo-reviewer', 'write');
    const run = await env.run({ goal: DEMO_GOAL, agent, policy: 'auto-pr' });
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    goalId = run.outputs['goal-id'] ?? '';
    branch = `omk/${goalId}/integration`;
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    pr = pull.number;
  }, 240_000);
  afterAll(async () => {
    await env.cleanup();
  });

  it('runs the pending fix, answers its thread once naming the fix commit, and a rerun answers nothing', async () => {
    const before = head();
    const { id, request } = await reviewComment('Please add a VERSION export.');
    // The fix was asked (its task recorded) and the job died before its agent ran.
    await editStateBranch((files) => {
      files.graph.fixes = [
        {
          id: 'fix-1',
          fix: 1,
          pr,
          sliceId: null,
          requests: [request],
          status: 'pending',
          attempts: 0,
          result: null,
        },
      ];
      Object.assign(files.goal, { status: 'interrupted', resumeTo: 'running', controller: null });
    });

    const run = await rerun();
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`goal ${goalId} is on the state branch already (interrupted)`);
    expect(run.outputs['goal-id']).toBe(goalId);
    expect(run.outputs.status).toBe('ready');
    const after = head();
    expect(after).not.toBe(before);
    expect(git(env.repo.origin, 'show', `${after}:src/math.js`)).toContain('export const VERSION = 2;');
    expect(repliesTo(id).map((reply) => reply.body)).toEqual([
      expect.stringContaining(`omk pushed a fix to this PR: ${after.slice(0, 12)}`),
    ]);
    expect(env.server.state.resolvedThreads.has(id)).toBe(true);

    // The goal is ready now: a rerun delivers it again, and answers nothing twice.
    const again = await rerun();
    expect(again.code, `${again.stdout.slice(-3000)}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain(`goal ${goalId} is on the state branch already (ready)`);
    expect(head()).toBe(after);
    expect(repliesTo(id)).toHaveLength(1);
    env.server.assertClean();
  }, 240_000);

  it('a ready goal whose fix ran but was not answered (the job died after it) gets its reply from the rerun, once', async () => {
    const fixed = head();
    const { id, request } = await reviewComment('Please keep VERSION exported.');
    // The fix ran, its commit is on the PR branch and the goal settled ready; the job died before
    // it answered (no fix_applied / fix_failed event).
    await editStateBranch((files) => {
      files.graph.fixes = [
        ...(files.graph.fixes ?? []),
        {
          id: 'fix-2',
          fix: 2,
          pr,
          sliceId: null,
          requests: [request],
          status: 'done',
          attempts: 1,
          result: { headSha: fixed, changedFiles: ['src/math.js'], agentFailure: null, untrusted: false },
        },
      ];
      expect(files.goal.status).toBe('ready');
    });

    const run = await rerun();
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`goal ${goalId} is on the state branch already (ready)`);
    expect(repliesTo(id).map((reply) => reply.body)).toEqual([
      expect.stringContaining(`omk pushed a fix to this PR: ${fixed.slice(0, 12)}`),
    ]);
    expect(env.server.state.resolvedThreads.has(id)).toBe(true);

    const again = await rerun();
    expect(again.code, `${again.stdout.slice(-3000)}\n${again.stderr}`).toBe(0);
    expect(repliesTo(id)).toHaveLength(1);
    env.server.assertClean();
  }, 240_000);
});

interface GraphFile {
  fixes?: unknown[];
  [key: string]: unknown;
}

interface StateFiles {
  goal: Record<string, unknown>;
  graph: GraphFile;
}
