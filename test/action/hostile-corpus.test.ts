import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type Proof, proofSchema } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { startTrap, type Trap } from '../helpers/trap.js';
import {
  ACTION_ENTRY,
  type ActionEnv,
  type ActionRun,
  createActionEnv,
  NO_CI_CONFIG,
  TOKEN,
} from './harness.js';
import { ATTACKS, type Attack, agentScript } from './hostile-corpus.js';
import { secretForms, tokenLeaks } from './secrets.js';
import { readAsRunner } from './workflow-commands.js';

/**
 * Hostile agents through the Action, unsandboxed (the integrity checks, omk's hardened git, the
 * token handling and the log guard are what is tested), each in its own workspace and fake
 * GitHub, all at once. The checkout holds the token as actions/checkout persists it.
 */
interface Attempt {
  env: ActionEnv;
  run: ActionRun;
  /** Null when the step ended before a proof (the run refused to go on). */
  proof: Proof | null;
  mainBefore: string;
  configBefore: string;
  hooksBefore: string[];
}

const FORMS = secretForms(TOKEN);
const HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

let trap: Trap;
let pids: string;
const attempts = new Map<Attack, Attempt>();
const attempt = (attack: Attack): Attempt => {
  const found = attempts.get(attack);
  if (found === undefined) throw new Error(`no attempt for ${attack}`);
  return found;
};

async function attack(name: Attack): Promise<Attempt> {
  const env = await createActionEnv({
    executables: { 'tools/agent.sh': agentScript(name, trap.url, pids) },
    files: NO_CI_CONFIG,
  });
  git(env.repo.root, 'config', `http.${env.server.url}/.extraheader`, HEADER);
  const configBefore = localConfig(env);
  const hooksBefore = await readdir(join(env.repo.root, '.git', 'hooks'));
  const mainBefore = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  const run = await env.run(
    {
      goal: DEMO_GOAL,
      agent: 'script:./tools/agent.sh',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      sandbox: 'off',
    },
    {},
    // Every attack runs at once: on a loaded machine one step takes far more than the usual 120 s.
    { args: [ACTION_ENTRY], cwd: env.repo.root, timeoutMs: 480_000 },
  );
  // A process the agent left out of omk's reach would go on writing: it is ended before the
  // checks, so they see what stood when the step ended.
  await endEscapees();
  const json = run.outputs['proof-json'];
  const proof = json === undefined || json === '' ? null : proofSchema.parse(JSON.parse(json));
  if (process.env.OMK_CORPUS_DUMP) {
    await writeFile(
      join(process.env.OMK_CORPUS_DUMP, `${name}.log`),
      `${run.code}\n${run.stdout}\n${run.stderr}`,
    );
  }
  return { env, run, proof, mainBefore, configBefore, hooksBefore };
}

/** The repository's own config, entry by entry (a restored entry may be quoted differently). */
function localConfig(env: ActionEnv): string {
  return git(env.repo.root, 'config', '--local', '--list');
}

async function endEscapees(): Promise<void> {
  for (const file of await readdir(pids).catch(() => [])) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number((await readFile(join(pids, file), 'utf8')).trim());
    // Never 0 or a negative number: that would signal this process's own group.
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

beforeAll(async () => {
  trap = await startTrap();
  pids = await mkdtemp(join(tmpdir(), 'omk-escapees-'));
  const done = await Promise.all(ATTACKS.map(async (name) => [name, await attack(name)] as const));
  for (const [name, result] of done) attempts.set(name, result);
}, 600_000);
afterAll(async () => {
  await endEscapees();
  await Promise.all([...attempts.values()].map((a) => a.env.cleanup()));
  await trap?.close();
  await rm(pids, { recursive: true, force: true });
});

const HOSTILE = ATTACKS.filter((name) => name !== 'control');
const blocking = (a: Attempt) =>
  (a.proof?.findings ?? [])
    .filter((f) => f.severity === 'blocking')
    .map((f) => f.message)
    .join('\n');
const merges = (a: Attempt) => [...a.env.server.state.pulls.values()].filter((pull) => pull.merged);

describe('the control agent (no attack)', () => {
  it('is ready and merged: the harness can see a goal succeed', () => {
    const a = attempt('control');
    expect(a.run.outputs.status, a.run.stdout.slice(-3000)).toBe('ready');
    expect(a.run.outputs.merged).toBe('true');
    expect(git(a.env.repo.origin, 'rev-parse', 'refs/heads/main')).not.toBe(a.mainBefore);
  });
});

describe.each(HOSTILE)('the %s agent', (name) => {
  it('is never ready nor merged: main is where it was', () => {
    const a = attempt(name);
    expect(a.run.outputs.status).not.toBe('ready');
    expect(a.run.outputs.merged).not.toBe('true');
    expect(merges(a)).toEqual([]);
    expect(git(a.env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(a.mainBefore);
  });

  it('left the hooks and HOME as they were', async () => {
    const a = attempt(name);
    expect(await readdir(join(a.env.repo.root, '.git', 'hooks'))).toEqual(a.hooksBefore);
    expect(existsSync(join(a.env.runnerTemp, '.gitconfig'))).toBe(false);
  });
});

describe.each(ATTACKS)('what the %s agent run wrote or sent', (name) => {
  it('holds no form of the token: log, outputs, summary, state files, PRs, checks, pushed refs', async () => {
    const a = attempt(name);
    expect(await tokenLeaks(a.env, a.run, FORMS)).toEqual([]);
  });
});

describe('the trap every redirect pointed at', () => {
  it('received no form of the token', () => {
    const received = trap.received();
    for (const form of FORMS) expect(received).not.toContain(form);
    expect(received).not.toMatch(/authorization/i);
  });
});

describe('the redirect agent', () => {
  it('is a blocking finding, and the shared config is back byte for byte, the credential included', async () => {
    const a = attempt('redirect');
    expect(blocking(a)).toContain('changed .git/config, outside its worktree');
    expect(localConfig(a.env)).toBe(a.configBefore);
  });
});

describe('the agent that plants a hook on its first attempt only', () => {
  it('gets no second attempt: the slice fails on the finding, and the hook never ran', () => {
    const a = attempt('hook-once');
    expect(blocking(a)).toContain('added .git/hooks/post-commit, outside its worktree');
    expect(a.run.stdout).toMatch(/reached outside its worktree, so it is not attempted again/);
    expect(a.run.stdout).not.toMatch(/\[s1-[^\]]+\] script \S+: attempt 2 of/);
    expect(existsSync(join(pids, 'hook-ran'))).toBe(false);
    expect(localConfig(a.env)).toBe(a.configBefore);
  });
});

describe('the escapee that patches the worktree after the commit', () => {
  it("is ended with the agent's run by its subreaper: it never patches, and the proof names it", async () => {
    // It dropped omk's run mark and left the worktree, so no search for leftovers finds it; the
    // subreaper it ran under (unsandboxed, on Linux) ends it when the agent ends, before the commit.
    const a = attempt('escapee-patch');
    const pid = Number((await readFile(join(pids, 'patch.pid'), 'utf8')).trim());
    expect(blocking(a)).toMatch(
      new RegExp(`The agent left process ${pid} (\\(.*\\) )?running (in the worktree )?after it ended`),
    );
    expect(existsSync(join(pids, 'patched'))).toBe(false);
  });
});

describe("the escapee that plants the remote's proxy after the checks", () => {
  it('stops the run before a push carries the token through it, and says why', () => {
    const a = attempt('escapee-proxy');
    expect(a.run.code).not.toBe(0);
    // It is ended with the agent's run by its subreaper: a plant that landed before is found by the
    // check after the agent; either way the proof names the process it left.
    expect(blocking(a)).toMatch(
      /The agent left process \d+ (\(.*\) )?running (in the worktree )?after it ended/,
    );
    expect(a.run.stdout).not.toMatch(/sends requests elsewhere \(remote\.origin\.proxy\)/);
    expect(localConfig(a.env)).not.toContain(trap.url);
  });
});

describe('the workflow-command agent', () => {
  it('steers nothing: what it and its code printed is inside pauses the runner cannot end early', () => {
    const a = attempt('workflow');
    // The guard was exercised: the planted text is in the log.
    expect(a.run.stdout).toContain('pwned-by-');
    const reading = readAsRunner(a.run.stdout);
    expect(reading.openPause).toBeNull();
    const planted = reading.obeyed.filter((c) => /pwned/.test(`${c.name} ${c.props} ${c.message}`));
    expect(planted).toEqual([]);
    for (const command of reading.obeyed) {
      expect(command.name, `line ${command.line}`).not.toBe('set-output');
      if (command.name === 'stop-commands') expect(command.message).toMatch(/^[0-9a-f]{32}$/);
      if (command.name === 'add-mask') expect(FORMS).toContain(command.message);
    }
  });
});

describe('the token-reading agent', () => {
  it("reads the token from omk's stash and commits it: blocked, and found in nothing omk wrote or pushed", () => {
    const a = attempt('token');
    const transcript = git(a.env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state')
      .split('\n')
      .find((path) => /s1-[^/]*\/transcript-1\.log$/.test(path) || path.endsWith('transcript-1.log'));
    expect(transcript).toBeDefined();
    const text = git(a.env.repo.origin, 'show', `refs/heads/omk/state:${transcript}`);
    expect(text).toContain('found: [');
    // Unsandboxed it can read omk's stash of the credential (docs/security.md). The canary is
    // shorter than a real token, so only omk knowing it as a credential blocks what it committed;
    // every copy omk wrote or pushed is scrubbed (above).
    expect(text).toContain('found: [x-access-token:[redacted]]');
    expect(blocking(a)).toContain(
      'A GitHub credential (a token omk holds, or one shaped like it) added in "src/math.js"',
    );
  });
});

describe('the agent that links a source file out of the repository', () => {
  it('is a blocking finding naming the link', () => {
    const a = attempt('link');
    expect(blocking(a)).toContain(
      '"src/passwd.js" is a symbolic link to "/etc/passwd", outside the worktree',
    );
  });
});

describe("the agent that plants a clean filter in its worktree's config.worktree", () => {
  it("is a blocking finding, the filter is gone, and omk's git never ran it", () => {
    const a = attempt('filter');
    expect(blocking(a)).toMatch(
      /(added|changed) \.git\/worktrees\/[^/]+\/config\.worktree, outside its worktree/,
    );
    expect(existsSync(join(pids, 'filter-ran'))).toBe(false);
    // The line that turns per-worktree config on is one omk's own sparse checkouts write: left.
    const without = (config: string) =>
      config
        .split('\n')
        .filter((line) => line !== 'extensions.worktreeconfig=true')
        .join('\n');
    expect(without(localConfig(a.env))).toBe(without(a.configBefore));
  });
});

describe("the second slice's agent that moves the first slice's finished branch", () => {
  it('is a blocking finding, and the branch is back at the commit the first slice was reviewed at', () => {
    const a = attempt('move-branch');
    expect(blocking(a)).toMatch(
      /The agent changed omk's branch omk\/[^ ]+\/s1-[^ ]+, outside its worktree; omk restored it/,
    );
    const first = a.proof?.slices.find((slice) => slice.id.startsWith('s1-'));
    expect(first?.headSha).toBeDefined();
    expect(git(a.env.repo.root, 'rev-parse', `refs/heads/${first?.branch}`)).toBe(first?.headSha);
  });
});
