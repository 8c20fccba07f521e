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

  it("answers a review's three line comments as one fix: one commit, one reply in each thread, once", async () => {
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    // Submitted from the Files tab: a review with no body (state commented) and three line comments.
    const { review, comments } = await env.server.addReviewWithComments(pull.number, {
      user: 'octo-reviewer',
      comments: [
        { path: 'src/math.js', line: 1, body: 'Please add a NAME export.' },
        { path: 'src/math.js', line: 2, body: 'And add a KIND export.' },
        { path: 'src/math.js', line: 3, body: 'Keep the exports at the end of the file.' },
      ],
    });
    const payload = await webhookExample('pull_request_review', 'submitted');
    Object.assign(payload.pull_request as object, { number: pull.number, head: { ref: branch } });
    Object.assign(payload.review as object, {
      id: review.id,
      state: 'commented',
      body: null,
      user: { login: 'octo-reviewer', type: 'User' },
    });
    Object.assign(payload, { sender: { login: 'octo-reviewer', type: 'User' } });
    const reviewEventPath = join(env.runnerTemp, 'review-event.json');
    await writeFile(reviewEventPath, JSON.stringify(payload));
    const fixReview = () =>
      env.run(
        { command: 'fix', agent },
        { GITHUB_EVENT_NAME: 'pull_request_review', GITHUB_EVENT_PATH: reviewEventPath },
      );
    const before = head();
    const fixesBefore = fixCommits().length;
    const run = await fixReview();
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('for 3 request(s)');
    const after = head();
    expect(after).not.toBe(before);
    // One commit holds what all three asked.
    expect(fixCommits()).toHaveLength(fixesBefore + 1);
    expect(git(env.repo.origin, 'rev-list', '--count', `${before}..${after}`)).toBe('1');
    const math = git(env.repo.origin, 'show', `${after}:src/math.js`);
    expect(math).toContain("export const NAME = 'math';");
    expect(math).toContain("export const KIND = 'calculator';");
    for (const comment of comments) {
      const replies = env.server.state.reviewComments.filter((c) => c.inReplyTo === comment.id);
      expect(replies.map((c) => c.body)).toEqual([expect.stringContaining(after.slice(0, 12))]);
    }
    expect(env.server.count('pulls/list-comments-for-review')).toBeGreaterThan(0);

    // Redelivered: the review's event, then one of its comments' events (GitHub sends both).
    const again = await fixReview();
    expect(again.code, `${again.stdout.slice(-3000)}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain(
      `Already handled: ${comments.map((c) => `review-comment:${c.id}`).join(', ')}`,
    );
    const commentPayload = await webhookExample('pull_request_review_comment', 'created');
    const second = comments[1];
    Object.assign(commentPayload.pull_request as object, { number: pull.number, head: { ref: branch } });
    Object.assign(commentPayload.comment as object, {
      id: second?.id,
      pull_request_review_id: review.id,
      body: second?.body,
      path: second?.path,
      line: second?.line,
      user: { login: 'octo-reviewer', type: 'User' },
    });
    const commentEventPath = join(env.runnerTemp, 'review-comment-event.json');
    await writeFile(commentEventPath, JSON.stringify(commentPayload));
    const fromComment = await env.run(
      { command: 'fix', agent },
      { GITHUB_EVENT_NAME: 'pull_request_review_comment', GITHUB_EVENT_PATH: commentEventPath },
    );
    expect(fromComment.code, `${fromComment.stdout.slice(-3000)}\n${fromComment.stderr}`).toBe(0);
    expect(fromComment.stdout).toContain('Already handled:');
    expect(head()).toBe(after);
    expect(fixCommits()).toHaveLength(fixesBefore + 1);
    for (const comment of comments) {
      expect(env.server.state.reviewComments.filter((c) => c.inReplyTo === comment.id)).toHaveLength(1);
    }
    env.server.assertClean();
  }, 240_000);
});
