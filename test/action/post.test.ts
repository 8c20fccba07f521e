import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, TOKEN } from './harness.js';

// An agent that kills the step that runs it, as a cancelled or timed-out job ends a step: omk
// gets no chance to put anything back. The step is its nearest node ancestor (on Linux its parent
// is omk's subreaper, whose parent is the Action's node process).
const KILLER = `#!/bin/sh
pid=$PPID
while [ "$pid" -gt 1 ]; do
  if [ "$(cat /proc/$pid/comm)" = node ]; then kill -KILL "$pid"; break; fi
  pid=$(awk '{print $4}' /proc/$pid/stat)
done
sleep 30
`;

const KEY_OF = (url: string) => `http.${url}/.extraheader`;
const HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

let env: ActionEnv;
let main: ActionRun;
let post: ActionRun;
let userWorktree: string;
const before: { worktrees: string[]; refs: string[]; header: string } = {
  worktrees: [],
  refs: [],
  header: '',
};

const worktreePaths = () =>
  git(env.repo.root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
const refs = () => git(env.repo.root, 'for-each-ref', '--format=%(refname)').split('\n');
const header = () => {
  try {
    return git(env.repo.root, 'config', '--get-all', KEY_OF(env.server.url));
  } catch {
    return '';
  }
};

beforeAll(async () => {
  env = await createActionEnv({ executables: { 'tools/agent.sh': KILLER }, files: NO_CI_CONFIG });
  // What was there before omk: the credential actions/checkout persists, a branch in omk's
  // namespace and a worktree that the user made.
  git(env.repo.root, 'config', KEY_OF(env.server.url), HEADER);
  git(env.repo.root, 'branch', 'omk/mine/keep');
  userWorktree = await mkdtemp(join(tmpdir(), 'omk-user-wt-'));
  await rm(userWorktree, { recursive: true });
  git(env.repo.root, 'worktree', 'add', '--quiet', '-b', 'feature', userWorktree);
  main = await env.run({
    goal: DEMO_GOAL,
    agent: 'script:./tools/agent.sh',
    'llm-planner': 'false',
    policy: 'local',
  });
  before.worktrees = worktreePaths();
  before.refs = refs();
  before.header = header();
  post = await env.post(main);
}, 180_000);
afterAll(async () => {
  await rm(userWorktree, { recursive: true, force: true });
  await env.cleanup();
});

describe('the post step after a step killed mid-run', () => {
  it('starts from a checkout the killed step left changed', () => {
    expect(main.code, main.stdout.slice(-2000)).not.toBe(0);
    expect(main.state['omk-job']).toBeDefined();
    expect(before.header).toBe('');
    expect(before.worktrees.some((path) => path.startsWith(env.runnerTemp))).toBe(true);
    expect(before.refs.some((ref) => /^refs\/heads\/omk\/[^/]+-[0-9a-f]{6}\//.test(ref))).toBe(true);
  });

  it('was warned, for policy: local, that its branches vanish with the runner', () => {
    const warnings = main.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
    expect(warnings).toContainEqual(expect.stringContaining('policy: local keeps the goal'));
    expect(warnings.join('\n')).toContain('vanish with it when the job ends');
  });

  it('puts the persisted credential back, once', () => {
    expect(post.code, post.stdout).toBe(0);
    expect(header()).toBe(HEADER);
  });

  it("removes this job's worktrees and branches, and keeps the user's", () => {
    expect(worktreePaths()).toEqual(
      [env.repo.root, userWorktree].map((path) => expect.stringContaining(path)),
    );
    const after = refs();
    expect(after).toContain('refs/heads/omk/mine/keep');
    expect(after).toContain('refs/heads/feature');
    expect(after).toContain('refs/heads/main');
    expect(after.filter((ref) => ref.startsWith('refs/heads/omk/') || ref.startsWith('refs/omk/'))).toEqual([
      'refs/heads/omk/mine/keep',
    ]);
  });
});

describe('the post step after a step that stopped at its inputs', () => {
  it('changes nothing and says so', async () => {
    const refused = await env.run({ command: 'status' });
    expect(refused.state).toEqual({});
    const refsBefore = refs();
    const cleanup = await env.post(refused);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toContain('nothing to clean up');
    expect(refs()).toEqual(refsBefore);
  });
});
