import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARK_READY_MUTATION, markPullReady } from '../../src/adapters/github/ready-for-review.js';
import {
  RESOLVE_THREAD_MUTATION,
  REVIEW_THREADS_QUERY,
  resolveReviewThread,
} from '../../src/adapters/github/review-threads.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { gitAuthEnv } from './git-auth.js';
import { type FakeGitHub, SECONDARY_RATE_LIMIT_MESSAGE, startFakeGitHub } from './server.js';

const OWNER = 'acme';
const REPO = 'widgets';
const TOKEN = 'ghs_fake_token_for_tests';
const REVIEWER_TOKEN = 'ghp_reviewer_token';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let repo: TempRepo;
let server: FakeGitHub;
let octokit: Octokit;

function client(token: string): Octokit {
  return new Octokit({ baseUrl: server.url, auth: token, log: quiet, request: { fetch: globalThis.fetch } });
}

/** Raw API call with the test token (or the given headers). */
function api(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: headers ?? { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Commits `files` on a new branch off local main and pushes it to the bare repo directly. */
async function branch(name: string, files: Record<string, string>): Promise<string> {
  git(repo.root, 'checkout', '--quiet', '-B', name, 'main');
  const sha = await repo.commit(files, `change on ${name}`);
  git(repo.root, 'push', '--quiet', 'origin', name);
  git(repo.root, 'checkout', '--quiet', 'main');
  return sha;
}

const bare = (...args: string[]) => git(repo.origin, ...args);
const repoArgs = { owner: OWNER, repo: REPO };

async function openPull(head: string, title = `PR from ${head}`) {
  const { data } = await octokit.rest.pulls.create({ ...repoArgs, head, base: 'main', title, body: 'body' });
  return data;
}

/** Git against the fake over HTTP: async, since a sync child would block the server's event loop. */
async function gitHttp(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, {
    cwd: repo.root,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C', ...env },
  });
  return stdout;
}

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# widgets\n', 'src/a.txt': 'one\n' });
  server = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    bareRepoPath: repo.origin,
    token: TOKEN,
    users: { [REVIEWER_TOKEN]: 'alice' },
  });
  octokit = client(TOKEN);
});

afterEach(async () => {
  await server.close();
  await repo.cleanup();
});

describe('pull requests', () => {
  it('creates a PR whose SHAs come from the bare repo and whose shape matches the OpenAPI schema', async () => {
    const head = await branch('omk/g1/s1', { 'src/a.txt': 'two\n' });
    const pr = await openPull('omk/g1/s1');
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      draft: false,
      mergeable: true,
      mergeable_state: 'clean',
    });
    expect(pr.head).toMatchObject({ ref: 'omk/g1/s1', sha: head, label: `${OWNER}:omk/g1/s1` });
    expect(pr.base.sha).toBe(bare('rev-parse', 'refs/heads/main'));
    expect(pr).toMatchObject({ commits: 1, additions: 1, deletions: 1, changed_files: 1 });
    expect(pr.html_url).toBe(`${server.url}/${OWNER}/${REPO}/pull/1`);
    expect(server.count('pulls/create')).toBe(1);
    server.assertClean();
  });

  it('answers a duplicate with the 422 shape GitHub uses', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    await openPull('feature');
    const res = await api('POST', `/repos/${OWNER}/${REPO}/pulls`, {
      head: `${OWNER}:feature`,
      base: 'main',
      title: 'again',
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${OWNER}:feature.`,
        },
      ],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      status: '422',
    });
    await expect(openPull('feature')).rejects.toMatchObject({ status: 422 });
    server.assertClean();
  });

  it('refuses a missing head branch and a head with no commits over the base', async () => {
    await expect(openPull('nope')).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] } },
    });
    const err = await openPull('main').catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: 'No commits between main and main' }] } },
    });
    server.assertClean();
  });

  it('lists with an owner:branch head filter, ignores a bare branch filter, and paginates with link headers', async () => {
    for (const name of ['a', 'b', 'c']) {
      await branch(name, { [`${name}.txt`]: name });
      await openPull(name);
    }
    const onlyB = await octokit.rest.pulls.list({ ...repoArgs, head: `${OWNER}:b`, state: 'open' });
    expect(onlyB.data.map((p) => p.head.ref)).toEqual(['b']);
    const ignored = await octokit.rest.pulls.list({ ...repoArgs, head: 'b' });
    expect(ignored.data).toHaveLength(3);
    const first = await octokit.rest.pulls.list({ ...repoArgs, per_page: 2 });
    expect(first.data.map((p) => p.number)).toEqual([3, 2]);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.pulls.list, { ...repoArgs, per_page: 1 });
    expect(all.map((p) => p.number)).toEqual([3, 2, 1]);
    server.assertClean();
  });

  it('updates title, body and state, and adds labels', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature');
    const updated = await octokit.rest.pulls.update({
      ...repoArgs,
      pull_number: pr.number,
      title: 'New',
      body: 'B',
    });
    expect(updated.data).toMatchObject({ title: 'New', body: 'B' });
    const labels = await octokit.rest.issues.addLabels({
      ...repoArgs,
      issue_number: pr.number,
      labels: ['omk', 'proof'],
    });
    expect(labels.data.map((l) => l.name)).toEqual(['omk', 'proof']);
    await octokit.rest.issues.addLabels({ ...repoArgs, issue_number: pr.number, labels: ['omk'] });
    const got = await octokit.rest.pulls.get({ ...repoArgs, pull_number: pr.number });
    expect(got.data.labels.map((l) => l.name)).toEqual(['omk', 'proof']);
    const closed = await octokit.rest.pulls.update({ ...repoArgs, pull_number: pr.number, state: 'closed' });
    expect(closed.data).toMatchObject({ state: 'closed', merged: false });
    await expect(octokit.rest.pulls.get({ ...repoArgs, pull_number: 99 })).rejects.toMatchObject({
      status: 404,
    });
    server.assertClean();
  });

  it('reports mergeable null while deferred, as GitHub does while computing', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    server.deferMergeable(1);
    const pr = await openPull('feature');
    expect(pr.mergeable).toBeNull();
    const again = await octokit.rest.pulls.get({ ...repoArgs, pull_number: pr.number });
    expect(again.data.mergeable).toBe(true);
  });
});

describe('checks, statuses, protection, reviews', () => {
  it('creates, updates and lists check runs for a SHA or a branch', async () => {
    const sha = await branch('omk/g1/s1', { 'b.txt': 'b\n' });
    const created = await octokit.rest.checks.create({
      ...repoArgs,
      name: 'omk/proof',
      head_sha: sha,
      external_id: 'g:s:sha',
      status: 'in_progress',
      output: { title: 'Proof', summary: 'pending' },
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ status: 'in_progress', conclusion: null, external_id: 'g:s:sha' });
    const done = await octokit.rest.checks.update({
      ...repoArgs,
      check_run_id: created.data.id,
      conclusion: 'success',
      output: {
        title: 'Proof',
        summary: 'ready',
        annotations: [
          { path: 'b.txt', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'ok' },
        ],
      },
    });
    expect(done.data).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      output: { annotations_count: 1 },
    });
    server.addCheckRun({ headSha: sha, name: 'ci', conclusion: 'failure' });
    server.addCheckRun({ headSha: sha, name: 'ci', conclusion: 'success' });
    const bySha = await octokit.rest.checks.listForRef({ ...repoArgs, ref: sha });
    expect(bySha.data.total_count).toBe(2);
    expect(bySha.data.check_runs.map((r) => [r.name, r.conclusion])).toEqual([
      ['ci', 'success'],
      ['omk/proof', 'success'],
    ]);
    const byBranch = await octokit.rest.checks.listForRef({
      ...repoArgs,
      ref: 'omk/g1/s1',
      check_name: 'ci',
      filter: 'all',
    });
    expect(byBranch.data.total_count).toBe(2);
    const badSha = await api('POST', `/repos/${OWNER}/${REPO}/check-runs`, {
      name: 'x',
      head_sha: 'f'.repeat(40),
    });
    expect(badSha.status).toBe(422);
    server.assertClean();
  });

  it('rolls up commit statuses into a combined state', async () => {
    const sha = bare('rev-parse', 'refs/heads/main');
    const empty = await octokit.rest.repos.getCombinedStatusForRef({ ...repoArgs, ref: 'main' });
    expect(empty.data).toMatchObject({ state: 'pending', total_count: 0, sha });
    const res = await api('POST', `/repos/${OWNER}/${REPO}/statuses/${sha}`, {
      state: 'pending',
      context: 'ci/build',
    });
    expect(res.status).toBe(201);
    server.setStatus(sha, 'ci/build', 'success');
    server.setStatus(sha, 'ci/lint', 'success');
    const green = await octokit.rest.repos.getCombinedStatusForRef({ ...repoArgs, ref: sha });
    expect(green.data).toMatchObject({ state: 'success', total_count: 2 });
    await octokit.rest.repos.createCommitStatus({ ...repoArgs, sha, state: 'failure', context: 'ci/lint' });
    const red = await octokit.rest.repos.getCombinedStatusForRef({ ...repoArgs, ref: 'main' });
    expect(red.data.state).toBe('failure');
    server.assertClean();
  });

  it('reads branch protection: unprotected 404, rules 200, no permission 403', async () => {
    await expect(
      octokit.rest.repos.getBranchProtection({ ...repoArgs, branch: 'main' }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Branch not protected' } },
    });
    server.setProtection('main', { requiredContexts: ['omk/proof', 'ci'], requiredApprovals: 1 });
    const { data } = await octokit.rest.repos.getBranchProtection({ ...repoArgs, branch: 'main' });
    expect(data.required_status_checks?.contexts).toEqual(['omk/proof', 'ci']);
    expect(data.required_pull_request_reviews?.required_approving_review_count).toBe(1);
    server.setProtection('main', 'forbidden');
    await expect(
      octokit.rest.repos.getBranchProtection({ ...repoArgs, branch: 'main' }),
    ).rejects.toMatchObject({
      status: 403,
    });
    server.assertClean();
  });

  it('records reviews from the API and from the test helper; refuses approving your own PR', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature');
    await expect(
      octokit.rest.pulls.createReview({ ...repoArgs, pull_number: pr.number, event: 'APPROVE' }),
    ).rejects.toMatchObject({ status: 422 });
    const alice = client(REVIEWER_TOKEN);
    const review = await alice.rest.pulls.createReview({
      ...repoArgs,
      pull_number: pr.number,
      event: 'APPROVE',
    });
    expect(review.data).toMatchObject({
      state: 'APPROVED',
      user: { login: 'alice' },
      commit_id: pr.head.sha,
    });
    await server.approve(pr.number, 'bob');
    const reviews = await octokit.rest.pulls.listReviews({ ...repoArgs, pull_number: pr.number });
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([
      ['alice', 'APPROVED'],
      ['bob', 'APPROVED'],
    ]);
    server.assertClean();
  });

  it("lists one review's line comments, not another's, and 404s a review it does not know", async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature');
    const { review, comments } = await server.addReviewWithComments(pr.number, {
      user: 'alice',
      comments: [
        { path: 'b.txt', line: 1, body: 'one' },
        { path: 'b.txt', line: 1, body: 'two' },
        { path: 'src/a.txt', line: 1, body: 'three' },
      ],
    });
    await server.addReviewComment(pr.number, { user: 'bob', path: 'b.txt', line: 1, body: 'alone' });
    const listed = await octokit.rest.pulls.listCommentsForReview({
      ...repoArgs,
      pull_number: pr.number,
      review_id: review.id,
    });
    expect(listed.data.map((c) => [c.id, c.pull_request_review_id, c.user?.login, c.path, c.body])).toEqual(
      comments.map((c) => [c.id, review.id, 'alice', c.path, c.body]),
    );
    const page = await octokit.rest.pulls.listCommentsForReview({
      ...repoArgs,
      pull_number: pr.number,
      review_id: review.id,
      per_page: 2,
      page: 2,
    });
    expect(page.data.map((c) => c.body)).toEqual(['three']);
    await expect(
      octokit.rest.pulls.listCommentsForReview({ ...repoArgs, pull_number: pr.number, review_id: 999_999 }),
    ).rejects.toMatchObject({ status: 404 });
    server.assertClean();
  });
});

describe('repository contents', () => {
  it('serves a file base64 encoded, raw on request, at a ref, and 404 when absent', async () => {
    await branch('other', { '.github/omk.yml': 'mergeMethod: rebase\n' });
    await repo.commit({ '.github/omk.yml': 'mergeMethod: squash\n' }, 'settings');
    git(repo.root, 'push', '--quiet', 'origin', 'main');
    const path = '.github/omk.yml';
    const { data } = await octokit.rest.repos.getContent({ ...repoArgs, path });
    if (Array.isArray(data) || data.type !== 'file')
      throw new Error(`expected a file, got ${JSON.stringify(data)}`);
    expect(data).toMatchObject({ path, name: 'omk.yml', encoding: 'base64', size: 20 });
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe('mergeMethod: squash\n');
    expect(data.sha).toBe(bare('rev-parse', 'main:.github/omk.yml'));
    const raw = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repoArgs,
      path,
      ref: 'other',
      mediaType: { format: 'raw' },
    });
    expect(raw.data).toBe('mergeMethod: rebase\n');
    await expect(
      octokit.rest.repos.getContent({ ...repoArgs, path: '.github/absent.yml' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      octokit.rest.repos.getContent({ ...repoArgs, path, ref: 'no-such-branch' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    server.assertClean();
  });
});

describe('merging', () => {
  it('makes a real merge commit in the bare repo, pinned to the head SHA', async () => {
    const head = await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature', 'Add b');
    const baseBefore = bare('rev-parse', 'refs/heads/main');
    const { data } = await octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number, sha: head });
    expect(data).toEqual({
      sha: bare('rev-parse', 'refs/heads/main'),
      merged: true,
      message: 'Pull Request successfully merged',
    });
    expect(bare('rev-parse', `${data.sha}^1`, `${data.sha}^2`)).toBe(`${baseBefore}\n${head}`);
    expect(bare('log', '-1', '--format=%s%n%b%an', data.sha)).toBe(
      `Merge pull request #${pr.number} from ${OWNER}/feature\nAdd b\nGitHub`,
    );
    expect(bare('show', `${data.sha}:b.txt`)).toBe('b');
    const after = await octokit.rest.pulls.get({ ...repoArgs, pull_number: pr.number });
    expect(after.data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: data.sha,
      head: { sha: head },
    });
    await expect(octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number })).rejects.toMatchObject({
      status: 405,
    });
    server.assertClean();
  });

  it('squashes into a single-parent commit', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature', 'Add b');
    const baseBefore = bare('rev-parse', 'refs/heads/main');
    const { data } = await octokit.rest.pulls.merge({
      ...repoArgs,
      pull_number: pr.number,
      merge_method: 'squash',
    });
    expect(bare('rev-list', '--parents', '-n', '1', data.sha)).toBe(`${data.sha} ${baseBefore}`);
    expect(bare('log', '-1', '--format=%s', data.sha)).toBe(`Add b (#${pr.number})`);
  });

  it('reports the allowed merge methods and refuses the others with 405, as GitHub does', async () => {
    server.state.mergeMethods = { merge: false, squash: true, rebase: false };
    const repoData = (await octokit.rest.repos.get(repoArgs)).data;
    expect(repoData).toMatchObject({
      allow_merge_commit: false,
      allow_squash_merge: true,
      allow_rebase_merge: false,
    });
    await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature', 'Add b');
    const before = bare('rev-parse', 'refs/heads/main');
    await expect(
      octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number, merge_method: 'merge' }),
    ).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Merge commits are not allowed on this repository.' } },
    });
    expect(bare('rev-parse', 'refs/heads/main')).toBe(before);
    const { data } = await octokit.rest.pulls.merge({
      ...repoArgs,
      pull_number: pr.number,
      merge_method: 'squash',
    });
    expect(data.merged).toBe(true);
    server.state.mergeMethods = { merge: true, squash: true, rebase: true };
    server.assertClean();
  });

  it('answers 409 when the head moved past the pinned SHA', async () => {
    const first = await branch('feature', { 'b.txt': 'b\n' });
    const pr = await openPull('feature');
    git(repo.root, 'checkout', '--quiet', 'feature');
    await repo.commit({ 'b.txt': 'b2\n' }, 'more');
    git(repo.root, 'push', '--quiet', 'origin', 'feature');
    const before = bare('rev-parse', 'refs/heads/main');
    await expect(
      octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number, sha: first }),
    ).rejects.toMatchObject({
      status: 409,
      response: { data: { message: 'Head branch was modified. Review and try the merge again.' } },
    });
    expect(bare('rev-parse', 'refs/heads/main')).toBe(before);
    server.assertClean();
  });

  it('answers 405 and reports mergeable false on a conflict', async () => {
    await branch('feature', { 'src/a.txt': 'theirs\n' });
    const pr = await openPull('feature');
    await repo.commit({ 'src/a.txt': 'ours\n' }, 'conflicting');
    git(repo.root, 'push', '--quiet', 'origin', 'main');
    const got = await octokit.rest.pulls.get({ ...repoArgs, pull_number: pr.number });
    expect(got.data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });
    await expect(octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number })).rejects.toMatchObject({
      status: 405,
    });
    server.assertClean();
  });

  it('enforces branch protection until checks are green and the PR is approved', async () => {
    const head = await branch('feature', { 'b.txt': 'b\n' });
    server.setProtection('main', { requiredContexts: ['omk/proof'], requiredApprovals: 1 });
    const pr = await openPull('feature');
    expect(pr.mergeable_state).toBe('blocked');
    const merge = () => octokit.rest.pulls.merge({ ...repoArgs, pull_number: pr.number, sha: head });
    await expect(merge()).rejects.toMatchObject({ status: 405 });
    server.addCheckRun({ headSha: head, name: 'omk/proof', conclusion: 'success' });
    await expect(merge()).rejects.toMatchObject({ status: 405 });
    await server.approve(pr.number, 'alice');
    expect((await merge()).data.merged).toBe(true);
    server.assertClean();
  });
});

describe('auth, git over HTTP, validation and faults', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    const none = await api('GET', `/repos/${OWNER}/${REPO}`, undefined, {});
    expect(none.status).toBe(401);
    await expect(client('wrong').rest.repos.get(repoArgs)).rejects.toMatchObject({ status: 401 });
    const bearer = await api('GET', `/repos/${OWNER}/${REPO}`, undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(bearer.status).toBe(200);
    server.assertClean();
  });

  it('accepts a real git push through http.extraheader and refuses one without auth', async () => {
    git(repo.root, 'checkout', '--quiet', '-b', 'omk/g/s');
    // Bigger than http.postBuffer (1 MiB), so git streams the pack with chunked encoding.
    const sha = await repo.commit(
      { 'c.txt': 'c\n', 'big.txt': randomBytes(1_500_000).toString('base64') },
      'over http',
    );
    await gitHttp(['push', '--quiet', server.gitUrl, 'HEAD:refs/heads/omk/g/s'], gitAuthEnv(TOKEN));
    expect(bare('rev-parse', 'refs/heads/omk/g/s')).toBe(sha);
    const ls = await gitHttp(['ls-remote', server.gitUrl, 'refs/heads/omk/g/s'], gitAuthEnv(TOKEN));
    expect(ls.trim()).toBe(`${sha}\trefs/heads/omk/g/s`);
    await gitHttp(['fetch', '--quiet', server.gitUrl, 'main:refs/remotes/fake/main'], gitAuthEnv(TOKEN));
    expect(git(repo.root, 'rev-parse', 'refs/remotes/fake/main')).toBe(bare('rev-parse', 'refs/heads/main'));

    await repo.commit({ 'c.txt': 'c2\n' }, 'unauthenticated');
    const push = ['push', '--quiet', server.gitUrl, 'HEAD:refs/heads/omk/g/s'];
    await expect(gitHttp(push)).rejects.toThrow(/could not read Username/);
    await expect(gitHttp(push, gitAuthEnv('wrong'))).rejects.toThrow(/Authentication failed|could not read/);
    expect(bare('rev-parse', 'refs/heads/omk/g/s')).toBe(sha);
    expect(server.count({ kind: 'git', status: 401 })).toBeGreaterThanOrEqual(2);
    expect(server.count()).toBe(0);
  });

  it('records a request that breaks the schema and answers 500', async () => {
    await branch('feature', { 'b.txt': 'b\n' });
    const res = await api('POST', `/repos/${OWNER}/${REPO}/pulls`, {
      head: 'feature',
      base: 'main',
      title: 5,
    });
    expect(res.status).toBe(500);
    const bad = await api('GET', `/repos/${OWNER}/${REPO}/pulls/not-a-number`);
    expect(bad.status).toBe(500);
    expect(server.schemaErrors.map((e) => [e.operation, e.phase])).toEqual([
      ['POST /repos/{owner}/{repo}/pulls', 'request'],
      ['GET /repos/{owner}/{repo}/pulls/{pull_number}', 'params'],
    ]);
    expect(server.schemaErrors[0]?.issues).toEqual([
      { path: '/title', message: 'must be string {"type":"string"}' },
    ]);
    expect(() => server.assertClean()).toThrow(/schema \(request\)/);
    expect(server.state.pulls.size).toBe(0);
  });

  it('records unknown routes as unexpected 404s', async () => {
    const res = await api('GET', `/repos/${OWNER}/${REPO}/releases`);
    expect(res.status).toBe(404);
    expect(server.unexpected.map((r) => r.path)).toEqual([`/repos/${OWNER}/${REPO}/releases`]);
  });

  it('injects faults for the next n calls, then serves normally', async () => {
    server.failNext(1, 502);
    server.failNext(1, 429, { 'retry-after': '1' });
    server.failNext(1, 403);
    await expect(octokit.rest.repos.get(repoArgs)).rejects.toMatchObject({ status: 502 });
    const limited = await api('GET', `/repos/${OWNER}/${REPO}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await expect(octokit.rest.repos.get(repoArgs)).rejects.toMatchObject({
      status: 403,
      response: { data: { message: SECONDARY_RATE_LIMIT_MESSAGE } },
    });
    const ok = await octokit.rest.repos.get(repoArgs);
    expect(ok.status).toBe(200);
    expect(Number(ok.headers['x-ratelimit-remaining'])).toBe(4996);
    expect(server.count({ injected: true })).toBe(3);
    server.assertClean();
  });
});

describe('repository, refs, comments, permissions, dispatch', () => {
  it('serves the repository, refs, and collaborator permissions', async () => {
    const repoData = (await octokit.rest.repos.get(repoArgs)).data;
    expect(repoData).toMatchObject({ full_name: `${OWNER}/${REPO}`, default_branch: 'main', private: true });
    const ref = await octokit.rest.git.getRef({ ...repoArgs, ref: 'heads/main' });
    expect(ref.data.object).toMatchObject({ type: 'commit', sha: bare('rev-parse', 'refs/heads/main') });
    await branch('omk/g/s', { 'x.txt': 'x' });
    const nested = await octokit.rest.git.getRef({ ...repoArgs, ref: 'heads/omk/g/s' });
    expect(nested.data.ref).toBe('refs/heads/omk/g/s');
    await expect(octokit.rest.git.getRef({ ...repoArgs, ref: 'heads/none' })).rejects.toMatchObject({
      status: 404,
    });
    server.setPermission('carol', 'maintain');
    const perm = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repoArgs, username: 'carol' });
    expect(perm.data).toMatchObject({ permission: 'write', role_name: 'maintain' });
    const owner = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repoArgs, username: OWNER });
    expect(owner.data.permission).toBe('admin');
    server.assertClean();
  });

  it('creates, lists and edits issue comments and reacts to them', async () => {
    const issue = server.addIssue('Please do X');
    const created = await octokit.rest.issues.createComment({
      ...repoArgs,
      issue_number: issue,
      body: 'on it',
    });
    expect(created.status).toBe(201);
    const edited = await octokit.rest.issues.updateComment({
      ...repoArgs,
      comment_id: created.data.id,
      body: 'done',
    });
    expect(edited.data.body).toBe('done');
    const listed = await octokit.rest.issues.listComments({ ...repoArgs, issue_number: issue });
    expect(listed.data.map((c) => c.body)).toEqual(['done']);
    const react = () =>
      octokit.rest.reactions.createForIssueComment({
        ...repoArgs,
        comment_id: created.data.id,
        content: 'eyes',
      });
    expect((await react()).status).toBe(201);
    expect((await react()).status).toBe(200);
    await expect(
      octokit.rest.issues.createComment({ ...repoArgs, issue_number: 77, body: 'x' }),
    ).rejects.toMatchObject({ status: 404 });
    server.assertClean();
  });

  it('serves review threads and resolves them over GraphQL, and refuses any other document', async () => {
    await branch('feature', { 'x.txt': 'x' });
    const pull = await openPull('feature');
    const first = await server.addReviewComment(pull.number, {
      user: 'alice',
      path: 'x.txt',
      line: 1,
      body: 'a',
    });
    const second = await server.addReviewComment(pull.number, {
      user: 'alice',
      path: 'x.txt',
      line: 1,
      body: 'b',
    });
    await octokit.rest.pulls.createReplyForReviewComment({
      ...repoArgs,
      pull_number: pull.number,
      comment_id: first.id,
      body: 'a reply joins the thread',
    });
    const threads = (await octokit.graphql(REVIEW_THREADS_QUERY, {
      ...repoArgs,
      number: pull.number,
      after: null,
    })) as { repository: { pullRequest: { reviewThreads: { nodes: unknown[] } } } };
    expect(threads.repository.pullRequest.reviewThreads.nodes).toEqual([
      { id: expect.any(String), isResolved: false, comments: { nodes: [{ databaseId: first.id }] } },
      { id: expect.any(String), isResolved: false, comments: { nodes: [{ databaseId: second.id }] } },
    ]);
    expect(await resolveReviewThread(octokit, repoArgs, pull.number, second.id)).toBe('resolved');
    expect(await resolveReviewThread(octokit, repoArgs, pull.number, second.id)).toBe('already_resolved');
    expect(await resolveReviewThread(octokit, repoArgs, pull.number, 999_999)).toBe('not_found');
    expect([...server.state.resolvedThreads]).toEqual([[second.id, 'github-actions[bot]']]);
    // A reader cannot resolve; a thread id that does not exist is an error.
    server.setPermission('alice', 'read');
    await expect(
      client(REVIEWER_TOKEN).graphql(RESOLVE_THREAD_MUTATION, { threadId: 'PRRT_fake1' }),
    ).rejects.toThrow(/Could not resolve to a node/);
    server.assertClean();
    await expect(octokit.graphql('query { viewer { login } }')).rejects.toThrow(/not served/);
    expect(server.unexpected.map((r) => r.path)).toEqual(['/graphql']);
  });

  it('marks a draft PR ready for review over GraphQL by its node id, and only an open draft', async () => {
    await branch('drafted', { 'd.txt': 'd' });
    await branch('ready', { 'r.txt': 'r' });
    const { data: draft } = await octokit.rest.pulls.create({
      ...repoArgs,
      head: 'drafted',
      base: 'main',
      title: 'a draft',
      draft: true,
    });
    const ready = await openPull('ready');
    const ctx = { octokit, repo: { owner: OWNER, name: REPO } };
    const graphqlCalls = () => server.requests.filter((r) => r.path === '/graphql');

    // The ready PR: read, and returned as it is; no mutation is sent for it.
    expect((await markPullReady(ctx, ready.number)).draft).toBe(false);
    expect(graphqlCalls()).toEqual([]);
    const marked = await markPullReady(ctx, draft.number);
    expect(marked).toMatchObject({ number: draft.number, draft: false, state: 'open' });
    expect(graphqlCalls().map((r) => r.body)).toEqual([
      { query: MARK_READY_MUTATION, variables: { pullRequestId: draft.node_id } },
    ]);
    expect(server.state.pulls.get(draft.number)?.draft).toBe(false);
    const { data: after } = await octokit.rest.pulls.get({ ...repoArgs, pull_number: draft.number });
    expect(after.draft).toBe(false);
    server.assertClean();

    // As GitHub: a PR that is no longer a draft, an unknown id and a reader are refused.
    const mark = (id: string, as = octokit) => as.graphql(MARK_READY_MUTATION, { pullRequestId: id });
    await expect(mark(draft.node_id)).rejects.toThrow(/not in draft state/);
    await expect(mark('PR_nothing')).rejects.toThrow(/Could not resolve to a node/);
    const readyPull = server.state.pulls.get(ready.number);
    if (readyPull === undefined) throw new Error('the ready PR is gone');
    readyPull.draft = true;
    server.setPermission('alice', 'read');
    await expect(mark(ready.node_id, client(REVIEWER_TOKEN))).rejects.toThrow(/not accessible/);
    expect(readyPull.draft).toBe(true);
    server.assertClean();
  });

  it('records workflow dispatches', async () => {
    const res = await octokit.rest.actions.createWorkflowDispatch({
      ...repoArgs,
      workflow_id: 'omk.yml',
      ref: 'main',
      inputs: { goal: 'g1' },
    });
    expect(res.status).toBe(204);
    expect(server.state.dispatches).toEqual([
      { workflowId: 'omk.yml', ref: 'main', inputs: { goal: 'g1' }, user: 'github-actions[bot]' },
    ]);
    await expect(
      octokit.rest.actions.createWorkflowDispatch({ ...repoArgs, workflow_id: 'omk.yml', ref: 'nope' }),
    ).rejects.toMatchObject({ status: 422 });
    server.assertClean();
  });
});
