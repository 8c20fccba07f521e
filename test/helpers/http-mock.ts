import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/**
 * Strict HTTP mocking for a test file: no real network at all, and a test fails when it leaves a
 * mock unused or makes a request no mock matches (even if the code under test swallowed the
 * error). nock 14 intercepts Node's global fetch, so Octokit must be given
 * `request: { fetch: globalThis.fetch }` (never a private undici fetch nock cannot see).
 *
 * Call once at the top level of a test file: `useHttpMock();`
 */
export function useHttpMock(): void {
  const unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; path?: string; url?: string }) => {
    // Method and path only: the request's headers carry the token.
    unmatched.push(`${request.method ?? '?'} ${pathOnly(request.path ?? request.url ?? '?')}`);
  };
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    nock.emitter.on('no match', onNoMatch);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    const strays = unmatched.splice(0);
    nock.cleanAll();
    expect(strays, 'requests that matched no mock').toEqual([]);
    expect(pending, 'mocks that were never requested').toEqual([]);
  });
  afterAll(() => {
    nock.emitter.removeListener('no match', onNoMatch);
    nock.enableNetConnect();
    nock.restore();
  });
}

function pathOnly(path: string): string {
  try {
    return new URL(path, 'http://mock.invalid').pathname;
  } catch {
    return path;
  }
}

/** The API host tests mock; GitHub Enterprise tests use their own. */
export const API = 'https://api.github.com';

/** A nock scope for the GitHub REST API (or a GHES `/api/v3` root). */
export function github(base: string = API): nock.Scope {
  return nock(base);
}

export interface PullFixture {
  number?: number;
  title?: string;
  body?: string | null;
  head?: string;
  headSha?: string;
  base?: string;
  baseSha?: string;
  draft?: boolean;
  state?: 'open' | 'closed';
  merged_at?: string | null;
  labels?: string[];
  mergeable?: boolean | null;
}

/** A pull request payload with GitHub's field names (the subset omk reads, plus a few realistic others). */
export function pullPayload(fixture: PullFixture = {}, repo = { owner: 'octo', name: 'demo' }) {
  const number = fixture.number ?? 7;
  return {
    id: 1000 + number,
    number,
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${number}`,
    url: `${API}/repos/${repo.owner}/${repo.name}/pulls/${number}`,
    title: fixture.title ?? 'omk: slice',
    body: fixture.body === undefined ? 'body' : fixture.body,
    state: fixture.state ?? 'open',
    draft: fixture.draft ?? false,
    merged_at: fixture.merged_at ?? null,
    mergeable: fixture.mergeable === undefined ? null : fixture.mergeable,
    labels: (fixture.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
    head: {
      ref: fixture.head ?? 'omk/g1/s1',
      sha: fixture.headSha ?? 'a'.repeat(40),
      label: `${repo.owner}:x`,
    },
    base: {
      ref: fixture.base ?? 'main',
      sha: fixture.baseSha ?? 'b'.repeat(40),
      label: `${repo.owner}:main`,
    },
  };
}
