import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
import type { SandboxAvailability } from '../../src/runtime/sandbox/port.js';
import { SHELL_GIT_RETRY } from '../helpers/agents.js';
import { git } from '../helpers/git-repo.js';
import {
  ATTEMPT,
  attempt,
  ENDED_BY_SANDBOX,
  LATE_PATCH,
  OUTSIDE_ATTEMPTS,
  outsideAttempts,
  REFUSED,
} from '../helpers/sandbox-escapes.js';
import { startTrap, type Trap } from '../helpers/trap.js';
import {
  ACTION_ENTRY,
  type ActionEnv,
  type ActionRun,
  createActionEnv,
  NO_CI_CONFIG,
  TOKEN,
} from './harness.js';
import { attackLines, FIX, REGRESSION_TEST } from './hostile-corpus.js';
import { secretForms, tokenLeaks } from './secrets.js';

/**
 * The Action's hostile corpus under the sandbox (`sandbox: required`), in one goal to keep the
 * suite's time. Slice s1's agent does the demo's fix, then makes the corpus' redirect, hook and
 * filter attacks, tries what other doors' tests try unconfined (`outsideAttempts`: the runner's
 * `~/.gitconfig` by path, hard links from its HOME and from the state root, its goal's state files,
 * the checkout's branch and files), reads the runner's `~/.git-credentials` and `~/.ssh` by path,
 * and reads the token where the corpus' token agent looks. Slice s2's agent adds the regression
 * test, makes the corpus' move-branch attack on s1's finished branch, and leaves a `setsid` process
 * that would patch its worktree after omk's commit. Each attempt's failure is checked inside (the
 * transcript) and outside (the repository, HOME, the state root, the fake GitHub). The checkout
 * holds the token as actions/checkout persists it. Where bubblewrap cannot confine here,
 * `required` refuses before any agent runs, and the test says so.
 */
const FORMS = secretForms(TOKEN);
const HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
const FIRST = ['redirect', 'hook', 'filter', ...OUTSIDE_ATTEMPTS] as const;
const SECOND = ['move-branch'] as const;
/** The goal directory the agent makes beside its own. */
const FORGED = 'zz-forged-goal';

let host: SandboxAvailability;
let trap: Trap;
/** Marks a hook or filter omk's git ran would leave. */
let marks: string;
/** The runner's HOME (not RUNNER_TEMP, which the sandbox hides): its `.gitconfig`, `.bashrc`. */
let home: string;
let env: ActionEnv;
let run: ActionRun;
let proof: Proof | null;
const before = { config: '', hooks: [] as string[], main: '', checkoutMain: '', gitconfig: '' };

function agent(): string {
  const corpus = (name: 'redirect' | 'hook-once' | 'filter' | 'move-branch' | 'token') =>
    attackLines(name, trap.url, marks);
  return [
    '#!/bin/sh',
    SHELL_GIT_RETRY,
    ATTEMPT,
    'case "$OMK_TASK_ID" in',
    '  s1-*)',
    FIX,
    ...attempt('redirect', corpus('redirect').first),
    ...attempt('hook', corpus('hook-once').first),
    ...attempt('filter', corpus('filter').first),
    ...outsideAttempts(home),
    // A goal of its own beside its goal in the state root: under RUNNER_TEMP, which the sandbox
    // replaces by an empty tmpfs (its goal's directory and worktree bound back), so the write
    // lands there, inside, and never on the runner's disk.
    'root="$(dirname "$(dirname "$(dirname "$PWD")")")"',
    `mkdir -p "$root/goals/${FORGED}" && printf '{"status":"ready"}\\n' > "$root/goals/${FORGED}/proof.json" && echo "wrote ${FORGED} inside"`,
    // Reads the runner's credential stores by path (hidden: an empty file, an empty directory).
    ...attempt('credentials', [
      `grep -q secret "${join(home, '.git-credentials')}"`,
      `grep -q KEY "${join(home, '.ssh', 'id_rsa')}"`,
    ]),
    // Prints (and commits) what it found of the token: the header omk took out of .git/config, its
    // environment, omk's stash (hidden here).
    ...corpus('token').first,
    '    ;;',
    '  s2-*)',
    REGRESSION_TEST,
    ...attempt('move-branch', corpus('move-branch').second),
    ...LATE_PATCH,
    '    ;;',
    'esac',
    'exit 0',
    '',
  ].join('\n');
}

beforeAll(async () => {
  host = await createBubblewrap({ env: { PATH: process.env.PATH } }).probe();
  trap = await startTrap();
  marks = await mkdtemp(join(tmpdir(), 'omk-sandboxed-corpus-'));
  home = await mkdtemp(join(tmpdir(), 'omk-runner-home-'));
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = runner\n');
  await writeFile(join(home, '.bashrc'), 'export PROFILE_SECRET=1\n');
  await writeFile(join(home, '.git-credentials'), 'https://x:secret@github.com\n');
  await mkdir(join(home, '.ssh'));
  await writeFile(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY 1234\n');
  env = await createActionEnv({ executables: { 'tools/agent.sh': agent() }, files: NO_CI_CONFIG });
  git(env.repo.root, 'config', `http.${env.server.url}/.extraheader`, HEADER);
  before.config = git(env.repo.root, 'config', '--local', '--list');
  before.hooks = await readdir(join(env.repo.root, '.git', 'hooks'));
  before.main = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  before.checkoutMain = git(env.repo.root, 'rev-parse', 'refs/heads/main');
  before.gitconfig = await readFile(join(home, '.gitconfig'), 'utf8');
  run = await env.run(
    {
      goal: DEMO_GOAL,
      agent: 'script:./tools/agent.sh',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      sandbox: 'required',
    },
    { HOME: home },
    { args: [ACTION_ENTRY], cwd: env.repo.root, timeoutMs: 240_000 },
  );
  const json = run.outputs['proof-json'];
  proof = json === undefined || json === '' ? null : proofSchema.parse(JSON.parse(json));
}, 300_000);
afterAll(async () => {
  await env?.cleanup();
  await trap?.close();
  await rm(marks, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

let warned = false;
/** Whether this host confines (else: `required` refused before any agent ran, which it checks). */
function confined(): boolean {
  if (host.available && host.network.isolated) return true;
  if (!warned) {
    warned = true;
    console.warn(
      `Action sandboxed corpus not exercised: bubblewrap cannot confine here (${JSON.stringify(host)})`,
    );
  }
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(/sandbox: required/);
  expect(env.server.state.pulls.size).toBe(0);
  return false;
}

function ran(): Proof {
  if (proof === null) throw new Error(`no proof: ${run.stdout.slice(-3000)}\n${run.stderr}`);
  return proof;
}

const sliceOf = (prefix: string) => {
  const slice = ran().slices.find((s) => s.id.startsWith(prefix));
  if (slice === undefined) throw new Error(`no slice ${prefix}`);
  return slice;
};

function transcript(prefix: string): Promise<string> {
  const dir = join(env.runnerTemp, 'omk', 'state', 'goals', ran().goalId, 'artifacts', 'agent-runs');
  return readFile(join(dir, sliceOf(prefix).id, 'transcript-1.log'), 'utf8');
}

const blocking = () =>
  ran()
    .findings.filter((f) => f.severity === 'blocking')
    .map((f) => f.message);

describe('the hostile agents through the Action under the sandbox', () => {
  it('ran sandboxed, and every attempt failed inside the agent (its transcript says which)', async () => {
    if (!confined()) return;
    expect(ran().decisions).toContainEqual(
      expect.objectContaining({ kind: 'sandbox', decision: 'sandboxed' }),
    );
    const first = await transcript('s1-');
    const second = await transcript('s2-');
    // Each refused by the sandbox (a read-only mount, a link across mounts), not by some other failure.
    const refused = (name: string) => new RegExp(`^blocked ${name}: .*(${REFUSED.source})`, 'm');
    for (const name of FIRST) expect(first).toMatch(refused(name));
    for (const name of SECOND) expect(second).toMatch(refused(name));
    // A read finds nothing there: the file is empty, the directory holds no key.
    expect(first).toMatch(/^blocked credentials: /m);
    expect(first + second).not.toContain('ESCAPED');
  });

  it('is never ready nor merged: main is where it was, no pull request', () => {
    if (!confined()) return;
    expect(run.outputs.status).not.toBe('ready');
    expect(ran().status).not.toBe('ready');
    expect(run.outputs.merged).not.toBe('true');
    expect(env.server.state.pulls.size).toBe(0);
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(before.main);
  });

  it('blocks only on the setsid process the sandbox ended: the attempts left nothing for a check to find', () => {
    if (!confined()) return;
    expect(blocking().length).toBeGreaterThan(0);
    for (const message of blocking()) expect(message).toMatch(ENDED_BY_SANDBOX);
    expect(blocking().join('\n')).toMatch(/sleep 2/);
    // s1's attempts and work: done, its gates passed.
    expect(sliceOf('s1-').status).toBe('done');
  });
});

describe('what lies outside the worktree, after the run', () => {
  it('the shared .git/config is byte for byte as it was (redirect, filter), the trap received nothing', () => {
    if (!confined()) return;
    expect(git(env.repo.root, 'config', '--local', '--list')).toBe(before.config);
    expect(trap.received()).toBe('');
  });

  it('the hooks are as they were, and no hook or filter omk planted ran', async () => {
    if (!confined()) return;
    expect(await readdir(join(env.repo.root, '.git', 'hooks'))).toEqual(before.hooks);
    expect(await readdir(marks)).toEqual([]);
  });

  it("the runner's ~/.gitconfig is unchanged", async () => {
    if (!confined()) return;
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toBe(before.gitconfig);
  });

  it("s1's branch holds neither hard link, and sits where its review saw it (move-branch)", () => {
    if (!confined()) return;
    const s1 = sliceOf('s1-');
    expect(s1.headSha).toBeDefined();
    expect(git(env.repo.root, 'rev-parse', `refs/heads/${s1.branch}`)).toBe(s1.headSha);
    const files = git(env.repo.root, 'ls-tree', '-r', '--name-only', s1.headSha ?? '').split('\n');
    expect(files).not.toContain('src/profile.txt');
    expect(files).not.toContain('src/goal.txt');
  });

  it("the goal's state files are omk's: no state_tampered gap, the oracle's gates kept", async () => {
    if (!confined()) return;
    expect(ran().knownGaps.map((gap) => gap.code)).not.toContain('state_tampered');
    const goal = JSON.parse(
      await readFile(join(env.runnerTemp, 'omk', 'state', 'goals', ran().goalId, 'goal.json'), 'utf8'),
    ) as { oracle: { requiredGates: string[] } };
    expect(goal.oracle.requiredGates).not.toEqual([]);
    const events = await readFile(
      join(env.runnerTemp, 'omk', 'state', 'goals', ran().goalId, 'events.jsonl'),
      'utf8',
    );
    expect(events).not.toContain('"seq":90,');
  });

  it("the goal it made beside its own was written in the sandbox's empty RUNNER_TEMP, not in the state root", async () => {
    if (!confined()) return;
    expect(await transcript('s1-')).toContain(`wrote ${FORGED} inside`);
    expect(await readdir(join(env.runnerTemp, 'omk', 'state', 'goals'))).not.toContain(FORGED);
  });

  it("the checkout's branch and files are as they were", () => {
    if (!confined()) return;
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(before.checkoutMain);
    expect(git(env.repo.root, 'status', '--porcelain')).toBe('');
  });

  it("the setsid process never patched: s2's commit holds no late line", () => {
    if (!confined()) return;
    const s2 = sliceOf('s2-');
    const head = s2.headSha ?? git(env.repo.root, 'rev-parse', `refs/heads/${s2.branch}`);
    expect(git(env.repo.root, 'show', `${head}:src/math.js`)).not.toContain('late');
  });

  it('the token: the agent found none, and no form of it is in the log, the state, the fake GitHub or a pushed branch', async () => {
    if (!confined()) return;
    expect(await transcript('s1-')).toContain('found: [] []');
    expect(await tokenLeaks(env, run, FORMS)).toEqual([]);
  });
});
