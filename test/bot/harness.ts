import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { readStatusMarker } from '../../src/adapters/bot/status-comments.js';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createOmkApp } from '../../src/bot/app.js';
import type { Bot, BotJob } from '../../src/bot/bot.js';
import { productionDeps } from '../../src/bot/compose.js';
import { type FakeComment, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { OWNER, REPO, TOKEN } from '../helpers/github.js';
import { type EventName, examplePayload } from './payloads.js';

export const SECRET = 'bot-test-webhook-secret';
export const COMMENTER = 'octo-dev';
export const APP_LOGIN = 'github-actions[bot]';

export interface Delivery {
  status: number;
  ms: number;
  body: string;
}

export interface BotEnv {
  server: FakeGitHub;
  repo: TempRepo;
  bot: Bot;
  /** The issue the comments are on. */
  issue: number;
  url: string;
  workDir: string;
  /** Temporary checkouts the bot created and removed, in order. */
  workspaces: { created: string[]; removed: string[] };
  jobs: { job: BotJob; error: unknown }[];
  log: string[];
  deliver(event: EventName, payload: unknown, options?: { id?: string; secret?: string }): Promise<Delivery>;
  /** Posts `/omk ...` (or any body) as a new comment by `login` (default: a writer) and delivers it. */
  comment(
    body: string,
    options?: { login?: string; senderType?: string; id?: string; commentId?: number },
  ): Promise<Delivery>;
  /** Comments in the thread, oldest first. */
  thread(): FakeComment[];
  /** Status comments (by the app, with the marker), oldest first. */
  statusComments(): FakeComment[];
  /** Replies by the app that are not status comments. */
  replies(): FakeComment[];
  /** Goal ids on the state branch of the bare repository. */
  stateGoals(): string[];
  readGoal(id: string): {
    status: string;
    goal: { text: string; normalized: string };
    repo: { baseRef: string | null; baseSha: string | null };
  };
  close(): Promise<void>;
}

let nextCommentId = 5_000_000;

export async function startBotEnv(
  options: {
    mode?: 'actions' | 'local';
    env?: Record<string, string>;
    /** The repository the bot works on (default: the demo's, DEMO_FILES). */
    files?: Readonly<Record<string, string>>;
  } = {},
): Promise<BotEnv> {
  const repo = await createTempRepo({ ...(options.files ?? DEMO_FILES) });
  const server = await startFakeGitHub({ owner: OWNER, repo: REPO, bareRepoPath: repo.origin, token: TOKEN });
  server.setPermission(COMMENTER, 'write');
  const issue = server.addIssue('Make the calculator right', 'add() subtracts', COMMENTER);
  const workDir = await mkdtemp(join(tmpdir(), 'omk-bot-work-'));
  const workspaces = { created: [] as string[], removed: [] as string[] };
  const jobs: { job: BotJob; error: unknown }[] = [];
  const log: string[] = [];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: workDir,
    OMK_BOT_MODE: options.mode ?? 'actions',
    OMK_BOT_AGENT: 'demo',
    OMK_BOT_WORK_DIR: workDir,
    // Unconfined unless a test asks (OMK_SANDBOX in options.env): test gates and agents leave
    // markers outside their worktree, which the sandbox would refuse.
    OMK_SANDBOX: 'off',
    OMK_GITHUB_WRITE_INTERVAL_MS: '0',
    // Status edits unspaced: a run's end waits out the gap after its last edit (a second by
    // default), which every local run here would pay. test/bot/status-phases.test.ts keeps the
    // default where it counts the edits a run costs.
    OMK_BOT_STATUS_GAP_MS: '0',
    ...options.env,
  };
  const probot = new Probot({
    githubToken: TOKEN,
    baseUrl: server.url,
    secret: SECRET,
    logLevel: 'fatal',
    // The documented test set-up: token auth, no retries or throttling.
    Octokit: ProbotOctokit.defaults((instanceOptions: object) => ({
      ...instanceOptions,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  let bot: Bot | null = null;
  const appFn = createOmkApp(
    (app) => ({
      ...productionDeps(app, env),
      reporter: { info: (m) => log.push(`info ${m}`), warn: (m) => log.push(`warn ${m}`) },
      debug: (m) => log.push(`debug ${m}`),
      observe: {
        workspace: (event, dir) => workspaces[event].push(dir),
        jobDone: (job, error) => jobs.push({ job, error }),
      },
    }),
    (created) => {
      bot = created;
    },
  );
  const middleware = await createNodeMiddleware(appFn, { probot });
  const http: Server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const address = http.address();
  if (address === null || typeof address === 'string' || bot === null) throw new Error('bot did not start');
  const url = `http://127.0.0.1:${address.port}/api/github/webhooks`;
  const started: Bot = bot;

  const deliver: BotEnv['deliver'] = async (event, payload, opts = {}) => {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', opts.secret ?? SECRET)
      .update(body)
      .digest('hex')}`;
    const t0 = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': opts.id ?? randomUUID(),
        'x-hub-signature-256': signature,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, ms: performance.now() - t0, body: text };
  };
  const isStatus = (c: FakeComment) => c.user === APP_LOGIN && readStatusMarker(c.body) !== null;
  const thread = () => server.state.comments.filter((c) => c.issueNumber === issue);
  return {
    server,
    repo,
    bot: started,
    issue,
    url,
    workDir,
    workspaces,
    jobs,
    log,
    deliver,
    comment(body, opts = {}) {
      nextCommentId += 1;
      const commentId = opts.commentId ?? nextCommentId;
      const login = opts.login ?? COMMENTER;
      // GitHub holds the comment before it sends the webhook (reactions need it).
      if (!server.state.comments.some((c) => c.id === commentId)) {
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        server.state.comments.push({
          id: commentId,
          issueNumber: issue,
          user: login,
          body,
          createdAt: at,
          updatedAt: at,
        });
      }
      const payload = examplePayload('issue_comment', 'created', server, {
        issue,
        commentId,
        body,
        login,
        senderType: opts.senderType ?? 'User',
      });
      return deliver('issue_comment', payload, { id: opts.id });
    },
    thread,
    statusComments: () => thread().filter(isStatus),
    replies: () => thread().filter((c) => c.user === APP_LOGIN && !isStatus(c)),
    stateGoals() {
      try {
        git(repo.origin, 'rev-parse', '--verify', '--quiet', 'refs/heads/omk/state');
        return git(repo.origin, 'ls-tree', '--name-only', 'refs/heads/omk/state', 'goals/')
          .split('\n')
          .filter(Boolean)
          .map((path) => path.slice('goals/'.length));
      } catch {
        return [];
      }
    },
    readGoal(id) {
      return JSON.parse(git(repo.origin, 'show', `refs/heads/omk/state:goals/${id}/goal.json`));
    },
    async close() {
      await started.idle();
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
      await server.close();
      await repo.cleanup();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Entries left in the bot's work directory (every checkout must be gone). */
export async function leftovers(env: BotEnv): Promise<string[]> {
  return (await readdir(env.workDir)).filter((name) => name.startsWith('omk-bot-'));
}
