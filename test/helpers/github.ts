import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ReadProofResult, readProofBlock } from '../../src/runtime/delivery/proof-block.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
import { gitAuthEnv } from '../fake-github/git-auth.js';
import {
  type FakeApp,
  type FakeGitHub,
  type FakePull,
  type RecordedRequest,
  startFakeGitHub,
} from '../fake-github/server.js';
import { createTempRepo, git, type TempRepo } from './git-repo.js';
import { type OmkResult, runOmk, tempStateDir } from './omk.js';

export const OWNER = 'acme';
export const REPO = 'widgets';
export const TOKEN = 'ghs_e2e_test_token_0123456789';

/** GitHub operation ids (as the fake records them) that delivery and merge use. */
export const OPS = {
  createPull: 'pulls/create',
  listPulls: 'pulls/list',
  getPull: 'pulls/get',
  updatePull: 'pulls/update',
  addLabels: 'issues/add-labels',
  createCheck: 'checks/create',
  updateCheck: 'checks/update',
  listChecks: 'checks/list-for-ref',
  combinedStatus: 'repos/get-combined-status-for-ref',
  protection: 'repos/get-branch-protection',
  reviews: 'pulls/list-reviews',
  merge: 'pulls/merge',
  createComment: 'issues/create-comment',
} as const;

export interface GitHubEnv {
  repo: TempRepo;
  server: FakeGitHub;
  stateDir: string;
  token: string;
  /** Every CLI run's output, in order (for secret scans). */
  outputs: OmkResult[];
  /** git environment that authenticates to the fake as the token's user (for pushes by tests). */
  authEnv: Record<string, string>;
  /** The environment the CLI gets: token, API and server URLs, OMK_STATE_DIR (added by runOmk). */
  env: Record<string, string>;
  omk(...args: string[]): Promise<OmkResult>;
  /** Like omk, with extra environment for this one run. */
  omkWith(env: Record<string, string>, ...args: string[]): Promise<OmkResult>;
  /** git in the working repository, async (a sync child would block the fake's event loop). */
  gitAsync(args: readonly string[], env?: Record<string, string>): Promise<string>;
  /** A branch's SHA in the bare repository behind the fake (local, no HTTP). */
  bareSha(branch: string): string | null;
  cleanup(): Promise<void>;
}

export interface GitHubEnvOptions {
  files?: Readonly<Record<string, string>>;
  token?: string;
  /** The app the token creates check runs as (default GitHub Actions). */
  app?: FakeApp;
}

/**
 * A working repository whose `origin` is the fake GitHub's git URL (backed by a bare repository
 * that already holds `main`), a state dir, and the CLI environment that points omk at the fake.
 */
export async function createGitHubEnv(options: GitHubEnvOptions = {}): Promise<GitHubEnv> {
  const token = options.token ?? TOKEN;
  const repo = await createTempRepo({ ...(options.files ?? DEMO_FILES) });
  const state = await tempStateDir();
  const server = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    bareRepoPath: repo.origin,
    token,
    ...(options.app ? { app: options.app } : {}),
  });
  // Local config only: no network, so a sync child is fine here.
  git(repo.root, 'remote', 'set-url', 'origin', server.gitUrl);
  const env = { GITHUB_TOKEN: token, GITHUB_API_URL: server.url, GITHUB_SERVER_URL: server.url };
  const outputs: OmkResult[] = [];
  const omkWith = async (extra: Record<string, string>, ...args: string[]) => {
    const result = await runOmk(args, { cwd: repo.root, stateDir: state.dir, env: { ...env, ...extra } });
    outputs.push(result);
    return result;
  };
  return {
    repo,
    server,
    stateDir: state.dir,
    token,
    outputs,
    authEnv: gitAuthEnv(token),
    env,
    omk: (...args) => omkWith({}, ...args),
    omkWith,
    async gitAsync(args, extra = {}) {
      const { stdout } = await promisify(execFile)('git', [...args], {
        cwd: repo.root,
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C', ...extra },
      });
      return stdout.trim();
    },
    bareSha(branch) {
      try {
        return git(repo.origin, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
      } catch {
        return null;
      }
    },
    async cleanup() {
      await server.close();
      await repo.cleanup();
      await state.cleanup();
    },
  };
}

/**
 * `omk goal run` of the demo goal with `--until-ready --policy auto-pr --json`: the agent, merge
 * policy (null: none given) and forge vary between tests.
 */
export function demoRunArgs(
  options: { agent?: string; mergePolicy?: 'gated' | 'manual' | null; forge?: 'github' | 'local' } = {},
): string[] {
  const mergePolicy = options.mergePolicy === undefined ? 'gated' : options.mergePolicy;
  return [
    'goal',
    'run',
    DEMO_GOAL,
    '--agent',
    options.agent ?? 'demo',
    '--until-ready',
    '--policy',
    'auto-pr',
    ...(mergePolicy === null ? [] : ['--merge-policy', mergePolicy]),
    '--forge',
    options.forge ?? 'github',
    '--json',
  ];
}

export const GATED_RUN: readonly string[] = demoRunArgs();

/** `goal run` of the demo goal; returns the goal id after checking the run succeeded. */
export async function runDemoGoal(gh: GitHubEnv, args: readonly string[] = GATED_RUN): Promise<string> {
  const run = await gh.omk(...args);
  expect(run.code, `${run.stderr}\n${run.stdout.slice(0, 2000)}`).toBe(0);
  const out = JSON.parse(run.stdout) as { goal: { id: string }; proof: { status: string } };
  expect(out.proof.status).toBe('ready');
  return out.goal.id;
}

export interface MergeOutcomeJson {
  merged: boolean;
  sha?: string;
  pr: number;
  blockedBy?: string;
  reasons?: { blocker: string; detail: string }[];
}

export async function mergeJson(gh: GitHubEnv, id: string): Promise<{ code: number; out: MergeOutcomeJson }> {
  const result = await gh.omk('goal', 'merge', id, '--forge', 'github', '--json');
  expect(result.stdout, result.stderr).not.toBe('');
  return { code: result.code, out: JSON.parse(result.stdout) as MergeOutcomeJson };
}

export async function goalStatus(gh: GitHubEnv, id: string): Promise<string> {
  const result = await gh.omk('goal', 'status', id, '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { status: string }).status;
}

export async function readProof(gh: GitHubEnv, id: string): Promise<Proof> {
  const path = join(gh.stateDir, 'goals', id, 'proof.json');
  return proofSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

/** The goal's open PRs on the fake, slices first (by number), the integrator last. */
export function pullsOf(server: FakeGitHub): FakePull[] {
  return [...server.state.pulls.values()].sort((a, b) => a.number - b.number);
}

/** CI reports success on the integrator PR's head (the last PR), as a workflow would. */
export function greenCi(server: FakeGitHub): void {
  const integrator = pullsOf(server).at(-1);
  if (!integrator) throw new Error('greenCi: no pull request yet');
  server.setStatus(integrator.headSha, 'ci', 'success');
}

export function proofBlockOf(pull: FakePull): ReadProofResult {
  return readProofBlock(pull.body);
}

/** Check runs grouped by `name@headSha`: more than one in a group is a duplicate. */
export function duplicateCheckRuns(server: FakeGitHub): string[] {
  const seen = new Map<string, number>();
  for (const run of server.state.checkRuns) {
    const key = `${run.name}@${run.headSha}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

/** Every regular file under `dir` (symlinks are not followed), recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  if ((await stat(dir).catch(() => null))?.isDirectory()) await walk(dir);
  return out;
}

/**
 * The token and the forms that would let it be recovered: base64 of `x-access-token:<token>` (the
 * push header), base64 of the token alone, and the part of the token's base64 that is the same
 * wherever it starts inside a longer base64 text (byte offsets 0, 1 and 2).
 */
export function secretForms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const aligned = [0, 1, 2].map((offset) => {
    const text = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Groups of 3 bytes that hold token bytes only.
    const first = Math.ceil(offset / 3);
    const last = Math.floor((offset + bytes.length) / 3);
    return text.slice(first * 4, last * 4);
  });
  return [
    ...new Set([
      token,
      Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      encodeURIComponent(token),
      ...aligned,
    ]),
  ];
}

/** `where` names of every place in `texts` that holds any of `forms`. */
export function findSecrets(texts: Iterable<[string, string]>, forms: readonly string[]): string[] {
  const hits: string[] = [];
  for (const [where, text] of texts) {
    for (const form of forms) if (text.includes(form)) hits.push(`${where} holds ${JSON.stringify(form)}`);
  }
  return hits;
}

export interface FaultSpec {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Makes every `every`-th API call (counting retries, git excluded) fail, cycling through `faults`,
 * by arming `server.failNext(1, ...)` as the call before it is recorded. The fake consumes an armed
 * fault on the next API call it validates. Returns a function that stops injecting.
 */
export function failEvery(server: FakeGitHub, every: number, faults: readonly FaultSpec[]): () => void {
  const { requests } = server;
  const original = requests.push.bind(requests);
  let calls = 0;
  let injected = 0;
  let active = true;
  requests.push = (...items: RecordedRequest[]) => {
    const length = original(...items);
    for (const item of items) {
      if (item.kind !== 'api') continue;
      calls += 1;
      if (active && (calls + 1) % every === 0) {
        const fault = faults[injected % faults.length];
        injected += 1;
        if (fault) server.failNext(1, fault.status, fault.headers ?? {}, fault.body);
      }
    }
    return length;
  };
  return () => {
    active = false;
  };
}
