import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';
import { type ActionEnv, createActionEnv, webhookExample } from './harness.js';

/** On a slice it does what the demo agent does; on a review fix, what the review asks. */
describe('command: fix on a pull_request_review_comment workflow', () => {
  let env: ActionEnv;
  let goalId = '';
  let branch = '';
  let commentId = 0;
  const agent = 'script:./agent.mjs';
  const head = () => git(env.repo.origin, 'rev-parse', `refs/heads/${branch}`).trim();
  const fixCommits = () =>
    git(env.repo.origin, 'log', '--format=%s', `refs/heads/main..refs/heads/${branch}`)
      .split('\n')
      .filter((line) => line.includes('for PR #'));

  beforeAll(async () => {
    env = await createActionEnv({ executables: { 'agent.mjs': AGENT } });
    env.server.setPermission('octo-reviewer', 'write');
    env.server.setPermission('org-reader', 'read');
    const run = await env.run({ goal: DEMO_GOAL, agent, policy: 'auto-pr' });
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    goalId = run.outputs['goal-id'] ?? '';
    branch = `omk/${goalId}/integration`;
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    const comment = await env.server.addReviewComment(pull.number, {
      user: 'octo-reviewer',
      path: 'src/math.js',
      line: 2,
      body: 'Please add a VERSION export.',
    });
    commentId = comment.id;
    const payload = await webhookExample('pull_request_review_comment', 'created');
    Object.assign(payload.pull_request as object, { number: pull.number, head: { ref: branch } });
    Object.assign(payload.comment as object, {
      id: comment.id,
      body: comment.body,
      path: comment.path,
      line: comment.line,
      author_association: 'COLLABORATOR',
      user: { login: 'octo-reviewer', type: 'User' },
    });
    await writeFile(join(env.runnerTemp, 'event.json'), JSON.stringify(payload));
  }, 240_000);
  afterAll(async () => {
    await env.cleanup();
  });

  it('takes the goal from the PR branch, pushes a fix commit, re-proves it and answers in the thread', async () => {
    const before = head();
    const run = await env.run(
      { command: 'fix', agent },
      { GITHUB_EVENT_NAME: 'pull_request_review_comment' },
    );
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.outputs['goal-id']).toBe(goalId);
    expect(run.outputs.status).toBe('ready');
    const after = head();
    expect(after).not.toBe(before);
    expect(fixCommits()).toHaveLength(1);
    expect(git(env.repo.origin, 'show', `${after}:src/math.js`)).toContain('export const VERSION = 2;');
    const checks = env.server.state.checkRuns.filter((c) => c.name === 'omk/proof' && c.headSha === after);
    expect(checks.map((c) => c.conclusion)).toEqual(['success']);
    const replies = env.server.state.reviewComments.filter((c) => c.inReplyTo === commentId);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain(`omk pushed a fix to this PR: ${after.slice(0, 12)}`);
    // The fix is in: the comment's thread is resolved (GraphQL), by the job's token.
    expect(env.server.state.resolvedThreads.has(commentId)).toBe(true);
    env.server.assertClean();
  }, 120_000);

  it('a reviewer with read permission fixes nothing, whatever author_association says', async () => {
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    const comment = await env.server.addReviewComment(pull.number, {
      user: 'org-reader',
      path: 'src/math.js',
      line: 2,
      body: 'Please add a NAME export.',
    });
    const payload = await webhookExample('pull_request_review_comment', 'created');
    Object.assign(payload.pull_request as object, { number: pull.number, head: { ref: branch } });
    Object.assign(payload.comment as object, {
      id: comment.id,
      body: comment.body,
      path: comment.path,
      line: comment.line,
      author_association: 'MEMBER',
      user: { login: 'org-reader', type: 'User' },
    });
    const eventPath = join(env.runnerTemp, 'reader-event.json');
    await writeFile(eventPath, JSON.stringify(payload));
    const before = head();
    const run = await env.run(
      { command: 'fix', agent },
      { GITHUB_EVENT_NAME: 'pull_request_review_comment', GITHUB_EVENT_PATH: eventPath },
    );
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(
      'Nothing to fix: org-reader has read permission on the repository; a fix needs write, maintain or admin.',
    );
    expect(head()).toBe(before);
    expect(env.server.state.reviewComments.filter((c) => c.inReplyTo === comment.id)).toHaveLength(0);
    expect(env.server.count('repos/get-collaborator-permission-level')).toBeGreaterThan(0);
    env.server.assertClean();
  }, 120_000);

  it('a rerun of the same event fixes nothing twice', async () => {
    const before = head();
    const run = await env.run(
      { command: 'fix', agent },
      { GITHUB_EVENT_NAME: 'pull_request_review_comment' },
    );
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`Already handled: review-comment:${commentId}`);
    expect(head()).toBe(before);
    expect(fixCommits()).toHaveLength(1);
    expect(env.server.state.reviewComments.filter((c) => c.inReplyTo === commentId)).toHaveLength(1);
  }, 120_000);
});
