import { describe, expect, it } from 'vitest';
import { github, useHttpMock } from '../../../test/helpers/http-mock.js';
import { GitHubApiError } from './errors.js';
import { testForge } from './test-forge.js';

useHttpMock();

const forge = testForge;

const SHA = 'd'.repeat(40);
const PROTECTION = '/repos/octo/demo/branches/main/protection';

describe('branchProtection', () => {
  it('reads required contexts (legacy contexts and checks) and required approvals', async () => {
    github()
      .get(PROTECTION)
      .reply(200, {
        required_status_checks: {
          strict: true,
          contexts: ['ci/build', 'omk/proof'],
          checks: [
            { context: 'ci/build', app_id: null },
            { context: 'test', app_id: 15368 },
          ],
        },
        required_pull_request_reviews: { required_approving_review_count: 2 },
      });
    expect(await forge().branchProtection('main')).toEqual({
      requiredContexts: ['ci/build', 'omk/proof', 'test'],
      requiredApprovals: 2,
    });
  });

  it('reads an unrequired section as nothing required', async () => {
    github()
      .get(PROTECTION)
      .reply(200, { enforce_admins: { enabled: true } });
    expect(await forge().branchProtection('main')).toEqual({ requiredContexts: [], requiredApprovals: 0 });
  });

  it.each([404, 403])('returns null for %i (unprotected, or no permission to read it)', async (status) => {
    github().get(PROTECTION).reply(status, { message: 'Branch not protected' });
    expect(await forge().branchProtection('main')).toBeNull();
  });

  it('propagates a rate-limited 403 instead of reading it as "no permission"', async () => {
    github()
      .get(PROTECTION)
      .reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    await expect(forge().branchProtection('main')).rejects.toMatchObject({ status: 403, rateLimited: true });
  });

  it('propagates other failures', async () => {
    github().get(PROTECTION).reply(500, { message: 'boom' });
    await expect(forge().branchProtection('main')).rejects.toBeInstanceOf(GitHubApiError);
  });
});

describe('reviews', () => {
  const review = (id: number, user: number | null, state: string, at: string) => ({
    id,
    user: user === null ? null : { id: user, login: `u${user}` },
    state,
    submitted_at: at,
  });

  it('counts each reviewer by their latest verdict; comments do not dismiss an approval', async () => {
    github()
      .get('/repos/octo/demo/pulls/3/reviews')
      .query({ per_page: '100' })
      .reply(200, [
        review(1, 1, 'CHANGES_REQUESTED', '2026-01-01T00:00:00Z'),
        review(2, 1, 'APPROVED', '2026-01-02T00:00:00Z'),
        review(3, 1, 'COMMENTED', '2026-01-03T00:00:00Z'),
        review(4, 2, 'APPROVED', '2026-01-01T00:00:00Z'),
        review(5, 3, 'APPROVED', '2026-01-01T00:00:00Z'),
        review(6, 3, 'DISMISSED', '2026-01-02T00:00:00Z'),
        review(7, 4, 'PENDING', '2026-01-02T00:00:00Z'),
      ]);
    expect(await forge().reviews(3)).toEqual({ approvals: 2, changesRequested: false });
  });

  it('reports changes requested when that is a reviewer’s latest verdict', async () => {
    github()
      .get('/repos/octo/demo/pulls/3/reviews')
      .query({ per_page: '100' })
      .reply(200, [
        review(1, 1, 'APPROVED', '2026-01-01T00:00:00Z'),
        review(2, 1, 'CHANGES_REQUESTED', '2026-01-02T00:00:00Z'),
        review(3, null, 'APPROVED', '2026-01-02T00:00:00Z'),
      ]);
    expect(await forge().reviews(3)).toEqual({ approvals: 1, changesRequested: true });
  });
});

describe('merge', () => {
  const MERGE = '/repos/octo/demo/pulls/3/merge';

  it('merges pinned to the evaluated sha in one PUT', async () => {
    github()
      .put(MERGE, { sha: SHA, merge_method: 'squash' })
      .reply(200, { sha: 'e'.repeat(40), merged: true, message: 'Pull Request successfully merged' });
    expect(await forge().merge(3, SHA, 'squash')).toEqual({ merged: true, sha: 'e'.repeat(40) });
  });

  it("asks a squash for omk's message, and leaves the other methods' messages to GitHub", async () => {
    const message = { title: 'omk: tidy (#3)', body: 'Squashed by omk.' };
    github()
      .put(MERGE, {
        sha: SHA,
        merge_method: 'squash',
        commit_title: 'omk: tidy (#3)',
        commit_message: 'Squashed by omk.',
      })
      .reply(200, { sha: 'e'.repeat(40), merged: true });
    expect(await forge().merge(3, SHA, 'squash', message)).toEqual({ merged: true, sha: 'e'.repeat(40) });
    github()
      .put(MERGE, { sha: SHA, merge_method: 'merge' })
      .reply(200, { sha: 'f'.repeat(40), merged: true });
    expect(await forge().merge(3, SHA, 'merge', message)).toEqual({ merged: true, sha: 'f'.repeat(40) });
  });

  it('409: the head moved since it was evaluated', async () => {
    github().put(MERGE).reply(409, { message: 'Head branch was modified. Review and try the merge again.' });
    expect(await forge().merge(3, SHA, 'merge')).toEqual({
      merged: false,
      reason: 'head_moved',
      detail: 'Head branch was modified. Review and try the merge again.',
    });
  });

  it.each([405, 422])('%i: not mergeable', async (status) => {
    github().put(MERGE).reply(status, { message: 'Pull Request is not mergeable' });
    expect(await forge().merge(3, SHA, 'rebase')).toMatchObject({ merged: false, reason: 'not_mergeable' });
  });

  it('403 is a failure, not an outcome', async () => {
    github().put(MERGE).reply(403, { message: 'Resource not accessible by integration' });
    await expect(forge().merge(3, SHA, 'merge')).rejects.toMatchObject({ status: 403, code: 'forge' });
  });
});
