import { describe, expect, it } from 'vitest';
import { github, pullPayload, useHttpMock } from '../../../test/helpers/http-mock.js';
import { ForgeError } from '../../runtime/errors.js';
import type { PushRef } from '../git/push-ref.js';
import { createGitHubForge, type GitHubForgeOptions } from './forge.js';
import { createOctokit } from './octokit.js';

useHttpMock();

const TOKEN = 'ghs_FORGECANARY0123456789';
const SHA = 'f'.repeat(40);

function forge(extra: Partial<GitHubForgeOptions> = {}) {
  const octokit = createOctokit({
    token: TOKEN,
    retry: false,
    throttle: false,
    request: { fetch: globalThis.fetch },
  });
  return createGitHubForge({
    octokit,
    repo: { owner: 'octo', name: 'demo' },
    token: TOKEN,
    serverUrl: 'https://github.com',
    ...extra,
  });
}

describe('createGitHubForge', () => {
  it('is a github forge for the repository and holds no token where it can be printed', () => {
    const f = forge();
    expect(f.kind).toBe('github');
    expect(f.repo).toEqual({ owner: 'octo', name: 'demo' });
    expect(JSON.stringify(f)).not.toContain(TOKEN);
    expect(Object.values(f).filter((v) => typeof v === 'string' && v.includes(TOKEN))).toEqual([]);
  });

  it.each(['not a url', 'file:///tmp/x', 'https://user:secret@github.com'])(
    'refuses the server URL %s',
    (serverUrl) => {
      expect(() => forge({ serverUrl })).toThrow(ForgeError);
    },
  );

  it('delivers a slice in exactly three API calls: create PR, add labels, publish the check run', async () => {
    const pushes: string[] = [];
    const pushRef: PushRef = async (spec) => {
      pushes.push(spec.url);
      return { exitCode: 0, rejected: [], stderr: '' };
    };
    github()
      .post('/repos/octo/demo/pulls')
      .reply(201, pullPayload({ number: 21 }))
      .post('/repos/octo/demo/issues/21/labels')
      .reply(200, [{ name: 'omk' }])
      .post('/repos/octo/demo/check-runs')
      .reply(201, { id: 5, html_url: 'https://github.com/octo/demo/runs/5' });
    const f = forge({ pushRef, serverUrl: 'https://ghe.example/' });
    await f.push({ repoRoot: '/repo', branch: 'omk/g1/s1', sha: SHA });
    const pr = await f.createPullRequest({
      head: 'omk/g1/s1',
      base: 'main',
      title: 't',
      body: 'b',
      draft: false,
      labels: ['omk'],
    });
    await f.addLabels(pr.number, ['omk']);
    const run = await f.upsertCheckRun(
      {
        name: 'omk/proof',
        headSha: SHA,
        conclusion: 'success',
        title: 't',
        summary: 's',
        annotations: [],
        externalId: 'g1:s1',
      },
      null,
    );
    expect(run).toEqual({ id: 5, url: 'https://github.com/octo/demo/runs/5' });
    expect(pushes).toEqual(['https://ghe.example/octo/demo.git']);
  });
});
