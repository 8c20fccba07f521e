import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { apiLogin, handleApi, readBody } from './api.js';
import { BareRepo } from './bare-repo.js';
import { addCheckRun } from './checks.js';
import { answerGit, gitLogin } from './git-http.js';
import { answerGraphql } from './graphql.js';
import { type ApiResponse, type Ctx, Fields, message } from './http.js';
import {
  faultBody,
  type HeldCall,
  type InjectedFault,
  type LostAnswer,
  matches,
  type RecordedRequest,
  type RequestFilter,
  type SchemaErrorRecord,
} from './records.js';
import { addReviewComment } from './review-comments.js';
import { addReview } from './reviews.js';
import { createRoutes } from './router.js';
import {
  createState,
  type FakeApp,
  type FakeCheckRun,
  type FakeProtection,
  type FakeReview,
  type FakeReviewComment,
  type FakeState,
  type FakeStatus,
  Ids,
  type Permission,
  type ReviewState,
  type StatusState,
  timestamp,
} from './state.js';
import { addStatus } from './statuses.js';
import { sharedValidator } from './validate.js';

/** `application/vnd.github.raw` or `.v3.raw` (with or without `+json`): the file's bytes, not JSON. */
const RAW_MEDIA = /application\/vnd\.github(?:\.v3)?\.raw\b/;

export type { RecordedRequest, RequestFilter, SchemaErrorRecord } from './records.js';
export { SECONDARY_RATE_LIMIT_BODY, SECONDARY_RATE_LIMIT_MESSAGE } from './records.js';
export type * from './state.js';

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  /** The bare repository the API and git smart HTTP serve (e.g. TempRepo.origin). */
  bareRepoPath: string;
  token: string;
  /** Login of `token`'s user (default `github-actions[bot]`, with write permission). */
  login?: string;
  /** More identities: token → login (default permission write), e.g. a reviewer. */
  users?: Record<string, string>;
  /** The app `token` creates check runs as (default GitHub Actions, id 15368), e.g. omk's bot. */
  app?: FakeApp;
}

export interface CheckRunSeed {
  headSha: string;
  name: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: string;
  externalId?: string;
  title?: string;
  summary?: string;
  /** The app that created it (default: the token's app), e.g. another app forging `omk/proof`. */
  app?: FakeApp;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:PORT`: the API base URL (Octokit `baseUrl`); also the web origin. */
  readonly url: string;
  /** Same as `url`: the API is served at the root, like api.github.com. */
  readonly apiUrl: string;
  /** `${url}/<owner>/<repo>.git`, git smart HTTP with Basic `x-access-token:<token>`. */
  readonly gitUrl: string;
  readonly requests: RecordedRequest[];
  /** Requests or responses that did not match GitHub's OpenAPI description. Assert empty. */
  readonly schemaErrors: SchemaErrorRecord[];
  /** Requests for routes the fake (and omk) does not use, or that crashed a handler. */
  readonly unexpected: RecordedRequest[];
  readonly state: FakeState;
  /** API requests matching `filter` (no filter: every API request, git excluded). */
  count(filter?: RequestFilter): number;
  setProtection(branch: string, protection: FakeProtection | 'forbidden' | null): void;
  setStatus(
    sha: string,
    context: string,
    state: StatusState,
    extra?: { description?: string; targetUrl?: string },
  ): FakeStatus;
  addCheckRun(seed: CheckRunSeed): FakeCheckRun;
  approve(pullNumber: number, user?: string): Promise<FakeReview>;
  requestChanges(pullNumber: number, user?: string, body?: string): Promise<FakeReview>;
  /** A review comment on a line of the PR, as a reviewer leaves it (before its webhook). */
  addReviewComment(
    pullNumber: number,
    seed: { user: string; path: string; line: number; body: string },
  ): Promise<FakeReviewComment>;
  /**
   * A review submitted with line comments, as GitHub records it: one review (`COMMENTED` unless
   * said), its comments carrying its id (before the webhooks: one for the review, one per comment).
   */
  addReviewWithComments(
    pullNumber: number,
    seed: {
      user: string;
      state?: ReviewState;
      body?: string;
      comments: readonly { path: string; line: number; body: string }[];
    },
  ): Promise<{ review: FakeReview; comments: FakeReviewComment[] }>;
  /** Creates a plain issue (shares numbers with PRs); returns its number. */
  addIssue(title: string, body?: string, author?: string): number;
  setPermission(login: string, permission: Permission): void;
  /** The next `reads` PR reads report `mergeable: null`, as while GitHub computes it. */
  deferMergeable(reads: number): void;
  /**
   * The next `n` API calls answer `status` instead (after auth and request validation).
   * 403/429 default to GitHub's secondary rate limit body.
   */
  failNext(n: number, status: number, headers?: Record<string, string>, body?: unknown): void;
  /**
   * The next call of `operationId` is carried out, then answers `status` instead: the change is
   * made and its answer lost (a crash or a dropped connection as seen by the client).
   */
  loseNextAnswer(operationId: string, status: number): void;
  /**
   * Holds the next call of `operationId` before it is carried out (then drops it) or after (the
   * change made, the answer not yet sent) while `act` runs: kill a client with its call in flight.
   * `git-receive-pack` holds the next git push the same way.
   */
  holdNext(operationId: string, phase: 'before' | 'after', act: () => Promise<void>): void;
  /** Throws when a schema error or unexpected request was recorded. */
  assertClean(): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const login = options.login ?? 'github-actions[bot]';
  const tokens = new Map<string, string>([[options.token, login], ...Object.entries(options.users ?? {})]);
  const state = createState();
  if (options.app) state.app = options.app;
  state.permissions.set(options.owner, 'admin');
  for (const user of tokens.values()) if (!state.permissions.has(user)) state.permissions.set(user, 'write');
  const requests: RecordedRequest[] = [];
  const schemaErrors: SchemaErrorRecord[] = [];
  const unexpected: RecordedRequest[] = [];
  const faults: InjectedFault[] = [];
  const lostAnswers: LostAnswer[] = [];
  const holds: HeldCall[] = [];
  const routes = createRoutes();
  const validator = sharedValidator();
  const site = { url: '', owner: options.owner, repo: options.repo };
  const ctx: Ctx = {
    site,
    state,
    ids: new Ids(),
    git: new BareRepo(options.bareRepoPath),
    permissionOf: (user) => state.permissions.get(user) ?? 'none',
  };
  let remaining = 5000;
  const reset = String(Math.floor(Date.now() / 1000) + 3600);
  let requestId = 0;

  function send(res: ServerResponse, response: ApiResponse, wantsRaw = false): void {
    remaining = Math.max(remaining - 1, 0);
    requestId += 1;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': reset,
      'x-ratelimit-used': String(5000 - remaining),
      'x-ratelimit-resource': 'core',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `FAKE:${requestId}`,
      ...response.headers,
    };
    if (response.body === undefined) {
      res.writeHead(response.status, headers).end();
      return;
    }
    if (response.raw !== undefined && wantsRaw) {
      headers['content-type'] = 'text/plain; charset=utf-8';
      headers['x-github-media-type'] = 'github.raw';
      res.writeHead(response.status, headers).end(response.raw);
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(response.status, headers).end(JSON.stringify(response.body));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', site.url);
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    // A push is held like an API call, under the name `git-receive-pack`.
    const gitStatus = await answerGit(req, res, url, { ...options, tokens }, (rest) => {
      if (rest !== '/git-receive-pack') return undefined;
      const index = holds.findIndex((hold) => hold.operationId === 'git-receive-pack');
      return index >= 0 ? holds.splice(index, 1)[0] : undefined;
    });
    if (gitStatus !== null) {
      const common = { method, path: url.pathname, query, body: undefined, responseBody: undefined };
      const flags = { operation: null, operationId: null, injected: false, unexpected: false };
      const login = gitLogin(req.headers.authorization, tokens);
      requests.push({ kind: 'git', ...common, ...flags, login, status: gitStatus });
      return;
    }
    const raw = await readBody(req);
    if (method === 'POST' && url.pathname === '/graphql') {
      answerGraphqlRequest(req, res, url, raw);
      return;
    }
    const { response, record } = await handleApi(
      { ctx, routes, validator, tokens, faults, lostAnswers, holds, schemaErrors },
      req,
      url,
      raw,
    );
    const entry: RecordedRequest = {
      kind: 'api',
      method,
      path: url.pathname,
      query,
      ...record,
      status: response.status,
      responseBody: response.body,
    };
    // Recorded before the answer leaves, so a test that awaited the response sees it.
    requests.push(entry);
    if (entry.unexpected) unexpected.push(entry);
    send(res, response, RAW_MEDIA.test(req.headers.accept ?? ''));
  }

  /** POST /graphql: authenticated like the REST API; a document the fake does not serve is unexpected. */
  function answerGraphqlRequest(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): void {
    const login = apiLogin(req.headers.authorization, tokens);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const answer =
      login === null
        ? { response: message(401, 'Bad credentials'), known: true }
        : answerGraphql(ctx, login, body);
    const entry: RecordedRequest = {
      kind: 'api',
      method: 'POST',
      path: url.pathname,
      query: {},
      body,
      operation: 'POST /graphql',
      operationId: 'graphql',
      injected: false,
      unexpected: !answer.known,
      login,
      status: answer.response.status,
      responseBody: answer.response.body,
    };
    requests.push(entry);
    if (entry.unexpected) unexpected.push(entry);
    send(res, answer.response);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake-github: no TCP address');
  site.url = `http://127.0.0.1:${address.port}`;

  const requirePull = (n: number) => {
    const pull = state.pulls.get(n);
    if (!pull) throw new Error(`fake-github: no pull request #${n}`);
    return pull;
  };

  return {
    url: site.url,
    apiUrl: site.url,
    gitUrl: `${site.url}/${options.owner}/${options.repo}.git`,
    requests,
    schemaErrors,
    unexpected,
    state,
    count: (filter) => requests.filter((r) => matches(r, filter)).length,
    setProtection(branch, protection) {
      if (protection === null) state.protection.delete(branch);
      else state.protection.set(branch, protection);
    },
    setStatus: (sha, context, status, extra = {}) => addStatus(ctx, sha, context, status, login, extra),
    addCheckRun: (seed) =>
      addCheckRun(
        ctx,
        seed.headSha,
        new Fields({
          name: seed.name,
          status: seed.status ?? (seed.conclusion ? 'completed' : 'queued'),
          conclusion: seed.conclusion,
          external_id: seed.externalId,
          output: seed.title === undefined ? undefined : { title: seed.title, summary: seed.summary ?? '' },
        }),
        seed.app,
      ),
    approve: (n, user = 'reviewer') => addReview(ctx, requirePull(n), user, 'APPROVED'),
    requestChanges: (n, user = 'reviewer', body = 'Please change this.') =>
      addReview(ctx, requirePull(n), user, 'CHANGES_REQUESTED', body),
    addReviewComment: (n, seed) => addReviewComment(ctx, requirePull(n), seed),
    async addReviewWithComments(n, seed) {
      const pull = requirePull(n);
      const review = await addReview(ctx, pull, seed.user, seed.state ?? 'COMMENTED', seed.body ?? '');
      const comments: FakeReviewComment[] = [];
      for (const comment of seed.comments) {
        comments.push(
          await addReviewComment(ctx, pull, { ...comment, user: seed.user, reviewId: review.id }),
        );
      }
      return { review, comments };
    },
    addIssue(title, body = '', author = options.owner) {
      const number = ctx.ids.issueNumber();
      state.issues.set(number, { number, title, body, author, labels: [], createdAt: timestamp() });
      return number;
    },
    setPermission: (user, permission) => state.permissions.set(user, permission),
    deferMergeable(reads) {
      state.mergeableUnknownReads = reads;
    },
    failNext(n, status, headers = {}, body) {
      for (let i = 0; i < n; i += 1) faults.push({ status, headers, body: body ?? faultBody(status) });
    },
    loseNextAnswer(operationId, status) {
      lostAnswers.push({ operationId, status, headers: {}, body: faultBody(status) });
    },
    holdNext(operationId, phase, act) {
      holds.push({ operationId, phase, act });
    },
    assertClean() {
      if (schemaErrors.length === 0 && unexpected.length === 0) return;
      const lines = [
        ...schemaErrors.map((e) => `schema (${e.phase}) ${e.method} ${e.path}: ${JSON.stringify(e.issues)}`),
        ...unexpected.map((r) => `unexpected ${r.method} ${r.path} → ${r.status}`),
      ];
      throw new Error(`fake-github saw problems:\n${lines.join('\n')}`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
