import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { github, useHttpMock } from '../../../test/helpers/http-mock.js';
import { ForgeError } from '../../runtime/errors.js';
import { GitHubApiError } from './errors.js';
import {
  type CreateOctokitOptions,
  createOctokit,
  DEFAULT_WRITE_INTERVAL_MS,
  DO_NOT_RETRY,
  tokenFrom,
  writeIntervalFrom,
} from './octokit.js';
import { maskValues } from './token-mask.js';

useHttpMock();

const CANARY = 'ghs_CANARY0123456789abcdefCANARY';

function recordingLog() {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Retry and throttling off unless a test turns them on; waits scaled to milliseconds. */
function client(overrides: Partial<CreateOctokitOptions> = {}) {
  return createOctokit({
    token: CANARY,
    retry: false,
    throttle: false,
    request: { fetch: globalThis.fetch },
    retryAfterBaseMs: 1,
    ...overrides,
  });
}

const getRepo = (octokit: ReturnType<typeof client>) =>
  octokit.rest.repos.get({ owner: 'octo', repo: 'demo' });

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('tokenFrom', () => {
  it('prefers the explicit token, then GITHUB_TOKEN, then GH_TOKEN, trimmed', () => {
    expect(tokenFrom({ token: ' explicit\n', env: { GITHUB_TOKEN: 'a', GH_TOKEN: 'b' } })).toBe('explicit');
    expect(tokenFrom({ token: '', env: { GITHUB_TOKEN: 'a', GH_TOKEN: 'b' } })).toBe('a');
    expect(tokenFrom({ env: { GITHUB_TOKEN: '  ', GH_TOKEN: 'b' } })).toBe('b');
  });

  it('fails with a hint when there is no token', () => {
    const error = (() => {
      try {
        tokenFrom({ env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as ForgeError).hint).toMatch(/GITHUB_TOKEN/);
  });
});

describe('createOctokit', () => {
  it('talks to GitHub Enterprise Server under its /api/v3 root, with the token as auth', async () => {
    github('https://ghe.example/api/v3')
      .get('/repos/octo/demo')
      .matchHeader('authorization', `token ${CANARY}`)
      .reply(200, { id: 1 });
    const octokit = client({ baseUrl: 'https://ghe.example/api/v3/' });
    expect((await getRepo(octokit)).data).toEqual({ id: 1 });
  });

  it('retries a 500 when retry is enabled', async () => {
    github()
      .get('/repos/octo/demo')
      .reply(500, { message: 'Server Error' })
      .get('/repos/octo/demo')
      .reply(200, { id: 2 });
    expect((await getRepo(client({ retry: true }))).data).toEqual({ id: 2 });
  });

  it('does not retry a 500 when retry is disabled', async () => {
    github().get('/repos/octo/demo').reply(500, { message: 'Server Error' });
    const error = await caught(getRepo(client()));
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(500);
  });

  it.each(DO_NOT_RETRY.filter((s) => s !== 429))(
    'never retries %i, even with retry and throttling on',
    async (status) => {
      github().get('/repos/octo/demo').reply(status, { message: 'No' });
      const error = await caught(getRepo(client({ retry: true, throttle: true })));
      expect((error as GitHubApiError).status).toBe(status);
    },
  );

  it('waits out a primary rate limit (429, x-ratelimit-remaining 0) and retries', async () => {
    const reset = String(Math.floor(Date.now() / 1000));
    const { lines, log } = recordingLog();
    github()
      .get('/repos/octo/demo')
      .reply(
        429,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      )
      .get('/repos/octo/demo')
      .reply(200, { id: 3 });
    expect((await getRepo(client({ retry: true, throttle: true, log }))).data).toEqual({ id: 3 });
    expect(
      lines.some((l) => l.startsWith('warn: GitHub rate limit for GET /repos/{owner}/{repo}: retry 1/2')),
    ).toBe(true);
  });

  const secondary = {
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  };

  it.each([
    ['429 with retry-after', 429, { 'retry-after': '1' }],
    ['429 without retry-after (falls back to 60 "seconds")', 429, {}],
    ['403 with retry-after', 403, { 'retry-after': '1' }],
  ])('retries a secondary rate limit: %s', async (_name, status, headers) => {
    const { lines, log } = recordingLog();
    github()
      .get('/repos/octo/demo')
      .reply(status, secondary, headers)
      .get('/repos/octo/demo')
      .reply(200, { id: 4 });
    expect((await getRepo(client({ retry: true, throttle: true, log }))).data).toEqual({ id: 4 });
    expect(lines.filter((l) => l.includes('secondary rate limit for GET'))).toHaveLength(1);
  });

  it('gives up after two rate-limit retries', async () => {
    const scope = github();
    for (let i = 0; i < 3; i += 1)
      scope.get('/repos/octo/demo').reply(403, secondary, { 'retry-after': '1' });
    const error = await caught(getRepo(client({ retry: true, throttle: true })));
    expect((error as GitHubApiError).status).toBe(403);
  });

  it('does not wait out a rate limit longer than the bound', async () => {
    github().get('/repos/octo/demo').reply(429, secondary, { 'retry-after': '3600' });
    const error = await caught(getRepo(client({ retry: true, throttle: true, maxRateLimitWaitSeconds: 60 })));
    expect((error as GitHubApiError).status).toBe(429);
  });

  it('turns a 401 into a GitHubApiError that nowhere contains the token', async () => {
    const { lines, log } = recordingLog();
    github().get('/repos/octo/demo').reply(
      401,
      { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
      {
        'x-github-request-id': 'ABCD:1234',
      },
    );
    const error = await caught(getRepo(client({ retry: true, throttle: true, log })));
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toBeInstanceOf(ForgeError);
    const apiError = error as GitHubApiError;
    expect(apiError).toMatchObject({
      status: 401,
      method: 'GET',
      path: '/repos/octo/demo',
      requestId: 'ABCD:1234',
    });
    expect(apiError.message).toBe('GitHub API GET /repos/octo/demo failed with 401: Bad credentials');
    expect(apiError.hint).toMatch(/token/);
    expect(apiError.cause).toBeUndefined();
    for (const secret of maskValues(CANARY)) {
      expect(inspect(error, { depth: 10 })).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(0);
  });

  it('removes the token from network failures too (status 0)', async () => {
    github().get('/repos/octo/demo').replyWithError(`socket hang up near ${CANARY}`);
    const error = await caught(getRepo(client()));
    expect(error).toMatchObject({ status: 0, method: 'GET' });
    expect((error as Error).message).toContain('got no response');
    expect((error as Error).message).not.toContain(CANARY);
  });

  it('keeps GitHub validation details as data', async () => {
    github()
      .post('/repos/octo/demo/pulls')
      .reply(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and x' }],
      });
    const octokit = client();
    const error = await caught(
      octokit.rest.pulls.create({ owner: 'octo', repo: 'demo', head: 'x', base: 'main' }),
    );
    expect(error).toMatchObject({
      status: 422,
      method: 'POST',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and x' }],
    });
  });
});

describe('spacing between writes', () => {
  /** Three label writes in a row; the times at which the mock saw them. */
  /**
   * When each of three concurrent writes was handed to fetch (inside the limiter's job, so what the
   * limiter spaces), and when the mock answered each. Not when the mock saw them: that adds each
   * fetch's own latency, which on a loaded machine varies by more than a margin can absorb (one
   * slow first request and a fast second made a 300 ms spacing look like 200 once, at load 30).
   */
  async function writeTimes(
    overrides: Partial<CreateOctokitOptions>,
  ): Promise<{ started: number[]; answered: number[] }> {
    const started: number[] = [];
    const answered: number[] = [];
    github()
      .post('/repos/octo/demo/labels')
      .times(3)
      .reply(201, () => {
        answered.push(performance.now());
        return { name: 'omk' };
      });
    const fetch: typeof globalThis.fetch = (input, init) => {
      started.push(performance.now());
      return globalThis.fetch(input, init);
    };
    const octokit = client({ throttle: true, request: { fetch }, ...overrides });
    await Promise.all(
      [1, 2, 3].map((n) =>
        octokit.rest.issues.createLabel({ owner: 'octo', repo: 'demo', name: `l${n}`, color: '000000' }),
      ),
    );
    expect(started).toHaveLength(3);
    expect(answered).toHaveLength(3);
    // One at a time: each write starts only after the one before it was answered.
    for (let n = 1; n < 3; n += 1) expect(started[n]).toBeGreaterThan(answered[n - 1] as number);
    return { started, answered };
  }
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

  it('spaces writes by the interval asked for, one at a time', async () => {
    // The limiter spaces the starts of its jobs; fetch is called a few microtasks into each job, and
    // a loaded machine can pause the process between the two (90 ms once, at load 10): each gap
    // gets half the interval as margin, and the span of the three is checked more tightly. Unspaced
    // writes are a few milliseconds apart.
    const { started } = await writeTimes({ writeIntervalMs: 300 });
    for (const gap of gaps(started)) expect(gap).toBeGreaterThanOrEqual(150);
    expect((started[2] as number) - (started[0] as number)).toBeGreaterThanOrEqual(540);
  });

  it('spaces writes a second apart by default (GitHub guidance)', async () => {
    const previous = process.env.OMK_GITHUB_WRITE_INTERVAL_MS;
    delete process.env.OMK_GITHUB_WRITE_INTERVAL_MS;
    try {
      const { started } = await writeTimes({});
      for (const gap of gaps(started)) expect(gap).toBeGreaterThanOrEqual(900);
    } finally {
      if (previous !== undefined) process.env.OMK_GITHUB_WRITE_INTERVAL_MS = previous;
    }
  });

  it('reads OMK_GITHUB_WRITE_INTERVAL_MS, and refuses a value that is not 0–60000 ms', () => {
    expect(writeIntervalFrom(undefined)).toBe(DEFAULT_WRITE_INTERVAL_MS);
    expect(writeIntervalFrom(' ')).toBe(DEFAULT_WRITE_INTERVAL_MS);
    expect(writeIntervalFrom('0')).toBe(0);
    expect(writeIntervalFrom('250')).toBe(250);
    for (const bad of ['-1', '1.5', 'fast', '60001']) {
      expect(() => writeIntervalFrom(bad)).toThrow(ForgeError);
      expect(() => writeIntervalFrom(bad)).toThrow(/OMK_GITHUB_WRITE_INTERVAL_MS .* 0 to 60000/);
    }
  });
});
