import { describe, expect, it } from 'vitest';
import { github, pullPayload, useHttpMock } from '../../../test/helpers/http-mock.js';
import type { PullRequestSpec } from '../../runtime/forge/port.js';
import { GitHubApiError } from './errors.js';
import { isAlreadyExists, PR_ALREADY_EXISTS_PREFIX } from './pulls.js';
import { testForge } from './test-forge.js';

useHttpMock();

const forge = testForge;

const PULLS = '/repos/octo/demo/pulls';
const spec: PullRequestSpec = {
  head: 'omk/g1/s1',
  base: 'main',
  title: 'omk: add parser',
  body: 'proof body',
  draft: true,
  labels: ['omk'],
};

describe('pull requests', () => {
  it('findPullRequest asks for the open PR of owner:head, one result', async () => {
    github()
      .get(PULLS)
      .query({ head: 'octo:omk/g1/s1', state: 'open', per_page: '1' })
      .reply(200, [pullPayload({ number: 3, labels: ['omk'] })]);
    const found = await forge().findPullRequest('omk/g1/s1');
    expect(found).toMatchObject({ number: 3, head: 'omk/g1/s1', state: 'open', labels: ['omk'] });
  });

  it('findPullRequest returns null when there is none', async () => {
    github().get(PULLS).query(true).reply(200, []);
    expect(await forge().findPullRequest('omk/g1/s1')).toBeNull();
  });

  it('createPullRequest is one POST with title, body, head, base and draft (labels come later)', async () => {
    github()
      .post(PULLS, {
        title: 'omk: add parser',
        body: 'proof body',
        head: 'omk/g1/s1',
        base: 'main',
        draft: true,
      })
      .reply(201, pullPayload({ number: 9, title: 'omk: add parser', body: 'proof body', draft: true }));
    expect(await forge().createPullRequest(spec)).toEqual({
      number: 9,
      url: 'https://github.com/octo/demo/pull/9',
      title: 'omk: add parser',
      body: 'proof body',
      head: 'omk/g1/s1',
      headSha: 'a'.repeat(40),
      base: 'main',
      baseSha: 'b'.repeat(40),
      draft: true,
      state: 'open',
      labels: [],
      mergeable: null,
    });
  });

  it('createPullRequest finds and updates the PR that already exists instead of opening a second', async () => {
    github()
      .post(PULLS)
      .reply(422, {
        message: 'Validation Failed',
        errors: [
          { resource: 'PullRequest', code: 'custom', message: `${PR_ALREADY_EXISTS_PREFIX} octo:omk/g1/s1.` },
        ],
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      })
      .get(PULLS)
      .query({ head: 'octo:omk/g1/s1', base: 'main', state: 'open', per_page: '1' })
      .reply(200, [pullPayload({ number: 4, title: 'old', body: 'old' })])
      .patch(`${PULLS}/4`, { title: 'omk: add parser', body: 'proof body' })
      .reply(200, pullPayload({ number: 4, title: 'omk: add parser', body: 'proof body' }));
    expect(await forge().createPullRequest(spec)).toMatchObject({
      number: 4,
      title: 'omk: add parser',
      body: 'proof body',
    });
  });

  it('createPullRequest propagates other validation failures without a lookup', async () => {
    github()
      .post(PULLS)
      .reply(422, {
        message: 'Validation Failed',
        errors: [
          { resource: 'PullRequest', code: 'custom', message: 'No commits between main and omk/g1/s1' },
        ],
      });
    const error = await forge()
      .createPullRequest(spec)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(422);
  });

  it('recognizes "already exists" only from the documented 422 shape', () => {
    // The message GitHub actually sends (as reported in google/go-github#1441 and elsewhere).
    const real = {
      resource: 'PullRequest',
      code: 'custom',
      message: 'A pull request already exists for octo:omk/g1/s1.',
    };
    const make = (status: number, errors: object[]) =>
      new GitHubApiError({
        status,
        method: 'POST',
        path: PULLS,
        githubMessage: 'Validation Failed',
        errors,
        documentationUrl: undefined,
        requestId: undefined,
      });
    expect(PR_ALREADY_EXISTS_PREFIX).toBe('A pull request already exists for');
    expect(isAlreadyExists(make(422, [real]))).toBe(true);
    expect(isAlreadyExists(make(422, [{ ...real, code: 'invalid' }]))).toBe(false);
    expect(isAlreadyExists(make(409, [real]))).toBe(false);
    expect(isAlreadyExists(new Error(real.message))).toBe(false);
  });

  it('updatePullRequest sends only the fields that change', async () => {
    github()
      .patch(`${PULLS}/5`, { body: 'new body' })
      .reply(200, pullPayload({ number: 5, body: 'new body' }));
    expect((await forge().updatePullRequest(5, { body: 'new body' })).body).toBe('new body');
  });

  it('getPullRequest maps merged, an empty body, labels and mergeable', async () => {
    github()
      .get(`${PULLS}/6`)
      .reply(
        200,
        pullPayload({
          number: 6,
          body: null,
          state: 'closed',
          merged_at: '2026-01-01T00:00:00Z',
          labels: ['omk', 'ready'],
          mergeable: true,
        }),
      );
    expect(await forge().getPullRequest(6)).toMatchObject({
      number: 6,
      body: '',
      state: 'merged',
      labels: ['omk', 'ready'],
      mergeable: true,
    });
  });

  it('getPullRequest maps a closed, unmerged PR to closed', async () => {
    github()
      .get(`${PULLS}/8`)
      .reply(200, pullPayload({ number: 8, state: 'closed' }));
    expect((await forge().getPullRequest(8)).state).toBe('closed');
  });

  it('addLabels is one POST to the issue labels, and no call for no labels', async () => {
    github()
      .post('/repos/octo/demo/issues/9/labels', { labels: ['omk', 'omk:ready'] })
      .reply(200, [{ name: 'omk' }, { name: 'omk:ready' }]);
    const f = forge();
    await f.addLabels(9, ['omk', 'omk:ready']);
    await f.addLabels(9, []);
  });
});
