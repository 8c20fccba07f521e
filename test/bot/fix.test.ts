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
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';
import { changesRequestedPayload, reviewCommentPayload } from './fix-payloads.js';
import { APP_LOGIN, type BotEnv, COMMENTER, leftovers, startBotEnv } from './harness.js';

describe('bot in local mode: review comments on an omk PR become fix commits', () => {
  let env: BotEnv;
  let agentDir: string;
  const commentId = 7_300_001;
  const goalId = newGoalId(DEMO_GOAL, threadIdSuffix(`${OWNER}/${REPO}#${commentId}`));
  const branch = `omk/${goalId}/integration`;
  const integrator = (): FakePull => {
    const pull = [...env.server.state.pulls.values()].find((p) => p.head === branch);
    if (!pull) throw new Error('no integrator PR');
    return pull;
  };
  const digest = () =>
    (
      JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`)) as {
        digest: string;
      }
    ).digest;
  const branchHead = () => git(env.repo.origin, 'rev-parse', `refs/heads/${branch}`).trim();
  const commitsOnBranch = () =>
    git(env.repo.origin, 'log', '--format=%s', `refs/heads/main..refs/heads/${branch}`)
      .split('\n')
      .filter((line) => line.includes('for PR #'));
  const proofChecks = (sha: string) =>
    env.server.state.checkRuns.filter((c) => c.name === 'omk/proof' && c.headSha === sha);
  const fixAgentRuns = () =>
    (
      JSON.parse(git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/proof.json`)) as {
        agentRuns: { taskId: string }[];
      }
    ).agentRuns.filter((run) => run.taskId.startsWith('fix-')).length;
  const threadReplies = (to: number) => env.server.state.reviewComments.filter((c) => c.inReplyTo === to);

  beforeAll(async () => {
    agentDir = await mkdtemp(join(tmpdir(), 'omk-fix-agent-'));
    const agent = join(agentDir, 'agent.mjs');
    await writeFile(agent, AGENT);
    await chmod(agent, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
    env.server.setPermission('drive-by', 'read');
    await env.comment(`/omk goal run "${DEMO_GOAL}" --policy auto-pr`, { commentId });
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('ready');
  }, 240_000);
  afterEach(() => env.server.assertClean());
  afterAll(async () => {
    await env.close();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('a review comment on the integrator PR: a fix commit on its branch, a new proof, a thread reply', async () => {
    const pull = integrator();
    const before = { head: branchHead(), digest: digest() };
    expect(pull.headSha).toBe(before.head);
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
    expect((await env.deliver('pull_request_review_comment', payload, { id: 'fix-delivery-1' })).status).toBe(
      200,
    );
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);

    const after = branchHead();
    expect(after).not.toBe(before.head);
    expect(git(env.repo.origin, 'show', `${after}:src/math.js`)).toContain('export const VERSION = 2;');
    expect(commitsOnBranch()).toHaveLength(1);
    expect(integrator().headSha).toBe(after);
    expect(digest()).not.toBe(before.digest);
    expect(proofChecks(after).map((c) => c.conclusion)).toEqual(['success']);
    expect(env.readGoal(goalId).status).toBe('ready');
    const replies = threadReplies(comment.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.user).toBe(APP_LOGIN);
    expect(replies[0]?.body).toContain(`omk pushed a fix to this PR: ${after.slice(0, 12)}`);
    expect(replies[0]?.body).toContain('`src/math.js`');
    expect(replies[0]?.body).toContain('the proof is **ready**');
    // The fix is in: the comment's thread is resolved.
    expect(env.server.state.resolvedThreads.get(comment.id)).toBe(APP_LOGIN);
    // The goal's status comment says what the fix came to.
    expect(env.statusComments()).toHaveLength(1);
    expect(env.statusComments()[0]?.body).toContain(
      `Review fix on the integrator PR \\#${pull.number}: applied`,
    );
    expect(await leftovers(env)).toEqual([]);
  }, 120_000);

  it('the same webhook redelivered (and a second delivery of that comment) starts nothing', async () => {
    const pull = integrator();
    const comment = env.server.state.reviewComments.find((c) => c.inReplyTo === null);
    if (!comment) throw new Error('no review comment');
    const head = branchHead();
    const payload = reviewCommentPayload(
      env.server,
      { number: pull.number, branch },
      { ...comment, user: COMMENTER },
    );
    await env.deliver('pull_request_review_comment', payload, { id: 'fix-delivery-1' });
    await env.deliver('pull_request_review_comment', payload, { id: 'fix-delivery-2' });
    await env.bot.idle();
    expect(branchHead()).toBe(head);
    expect(commitsOnBranch()).toHaveLength(1);
    expect(threadReplies(comment.id)).toHaveLength(1);
  }, 60_000);

  it('/omk goal fix from a user without write permission is refused and runs nothing', async () => {
    const pull = integrator();
    const head = branchHead();
    const updates = env.server.count('pulls/update');
    const checks = env.server.state.checkRuns.length;
    const body = '/omk goal fix "add a VERSION export"';
    const id = 7_300_100;
    env.server.state.comments.push({
      id,
      issueNumber: pull.number,
      user: 'drive-by',
      body,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const { examplePayload } = await import('./payloads.js');
    const payload = examplePayload('issue_comment', 'created', env.server, {
      issue: pull.number,
      commentId: id,
      body,
      login: 'drive-by',
      senderType: 'User',
    });
    expect((await env.deliver('issue_comment', payload)).status).toBe(200);
    await env.bot.idle();
    const answer = env.server.state.comments
      .filter((c) => c.issueNumber === pull.number && c.user === APP_LOGIN)
      .at(-1);
    expect(answer?.body).toContain(
      '@drive-by thanks for the suggestion! Only people with write, maintain or admin',
    );
    expect(branchHead()).toBe(head);
    expect(env.server.count('pulls/update')).toBe(updates);
    expect(env.server.state.checkRuns).toHaveLength(checks);
    expect(env.jobs.at(-1)?.error).toBeNull();
  }, 60_000);

  it('a review comment on a slice PR: the fix lands on the slice branch and reaches the integrator PR', async () => {
    const slice = [...env.server.state.pulls.values()].find((p) => p.head.includes('/s1-'));
    if (!slice) throw new Error('no slice PR');
    const sliceHead = () => git(env.repo.origin, 'rev-parse', `refs/heads/${slice.head}`).trim();
    const before = { slice: sliceHead(), integration: branchHead() };
    const comment = await env.server.addReviewComment(slice.number, {
      user: COMMENTER,
      path: 'src/math.js',
      line: 2,
      body: 'Please add a VERSION export in this slice too.',
    });
    const payload = reviewCommentPayload(
      env.server,
      { number: slice.number, branch: slice.head },
      { ...comment, user: COMMENTER },
    );
    expect((await env.deliver('pull_request_review_comment', payload)).status).toBe(200);
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const after = sliceHead();
    expect(after).not.toBe(before.slice);
    expect(git(env.repo.origin, 'rev-parse', `${after}^`).trim()).toBe(before.slice);
    expect(slice.headSha).toBe(after);
    expect(proofChecks(after)).toHaveLength(1);
    // The slice's own gates ran again on its new head (the slice PR shows them).
    const execution = JSON.parse(
      git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/execution.json`),
    ) as { slices: { id: string; headSha: string; gates: { sha: string; outcome: string }[] }[] };
    const record = execution.slices.find((s) => slice.head.endsWith(`/${s.id}`));
    expect(record?.headSha).toBe(after);
    expect(record?.gates.map((g) => [g.sha, g.outcome])).toEqual([
      [after, 'passed'],
      [after, 'passed'],
    ]);
    // The integration merged the slice's new head; its PR moved with it.
    expect(branchHead()).not.toBe(before.integration);
    expect(git(env.repo.origin, 'merge-base', '--is-ancestor', after, branchHead())).toBe('');
    expect(integrator().headSha).toBe(branchHead());
    expect(threadReplies(comment.id)).toHaveLength(1);
    expect(threadReplies(comment.id)[0]?.body).toContain(
      `omk pushed a fix to this PR: ${after.slice(0, 12)}`,
    );
  }, 120_000);

  it('two review comments delivered together: one fix run, one commit with both, one reply per thread', async () => {
    const pull = integrator();
    const head = branchHead();
    const fixesBefore = commitsOnBranch().length;
    const runsBefore = fixAgentRuns();
    const comments = await Promise.all(
      ['Please add a NAME export.', 'And add a KIND export.'].map((body, i) =>
        env.server.addReviewComment(pull.number, { user: COMMENTER, path: 'src/math.js', line: 2 + i, body }),
      ),
    );
    const statuses = await Promise.all(
      comments.map((comment) =>
        env.deliver(
          'pull_request_review_comment',
          reviewCommentPayload(env.server, { number: pull.number, branch }, { ...comment, user: COMMENTER }),
        ),
      ),
    );
    expect(statuses.map((s) => s.status)).toEqual([200, 200]);
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const after = branchHead();
    expect(after).not.toBe(head);
    expect(commitsOnBranch()).toHaveLength(fixesBefore + 1);
    const math = git(env.repo.origin, 'show', `${after}:src/math.js`);
    expect(math).toContain("export const NAME = 'math';");
    expect(math).toContain("export const KIND = 'calculator';");
    for (const comment of comments) {
      const replies = threadReplies(comment.id);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.body).toContain(`omk pushed a fix to this PR: ${after.slice(0, 12)}`);
      expect(env.server.state.resolvedThreads.has(comment.id)).toBe(true);
    }
    expect(fixAgentRuns()).toBe(runsBefore + 1);
  }, 120_000);

  it('a fix that breaks a gate: pushed to the PR, which stays open with a failed proof, and the answer says so', async () => {
    const pull = integrator();
    const head = branchHead();
    const payload = changesRequestedPayload(
      env.server,
      { number: pull.number, branch },
      {
        id: 7_300_200,
        user: COMMENTER,
        body: 'BREAK lint, as discussed.',
      },
    );
    expect((await env.deliver('pull_request_review', payload)).status).toBe(200);
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const after = branchHead();
    expect(after).not.toBe(head);
    expect(integrator().state).toBe('open');
    expect(integrator().merged).toBe(false);
    // lint passed before the fix and fails after it: a regression, so the proof says failed.
    expect(env.readGoal(goalId).status).toBe('failed');
    expect(proofChecks(after).map((c) => c.conclusion)).toEqual(['failure']);
    const answer = env.server.state.comments
      .filter((c) => c.issueNumber === pull.number && c.user === APP_LOGIN)
      .at(-1);
    expect(answer?.body).toContain(`@${COMMENTER} omk pushed a fix to this PR: ${after.slice(0, 12)}`);
    expect(answer?.body).toContain('The proof is **failed** on the new head: `lint` fail');
    expect(answer?.body).toContain('The PR stays open');
  }, 120_000);

  it('a review comment whose fix fails is answered in its thread but not resolved', async () => {
    const pull = integrator();
    const comment = await env.server.addReviewComment(pull.number, {
      user: COMMENTER,
      path: 'src/math.js',
      line: 3,
      body: 'BREAK lint once more.',
    });
    const payload = reviewCommentPayload(
      env.server,
      { number: pull.number, branch },
      { ...comment, user: COMMENTER },
    );
    expect((await env.deliver('pull_request_review_comment', payload)).status).toBe(200);
    await env.bot.idle();
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    expect(env.readGoal(goalId).status).toBe('failed');
    const replies = threadReplies(comment.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain('The proof is **failed** on the new head: `lint` fail');
    expect(env.server.state.resolvedThreads.has(comment.id)).toBe(false);
    // The earlier, applied fixes' threads stay resolved.
    expect(env.server.state.resolvedThreads.size).toBeGreaterThan(0);
  }, 120_000);
});
