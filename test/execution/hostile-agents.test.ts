import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, GOALS, SLICES, waitFor } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';
import { runOmk } from '../helpers/omk.js';

// Agents that act as an attacker would, as shell scripts run through the CLI against real git.
// Each also makes a change the gates accept, so only the integrity checks stand between it and a
// `ready` proof: the sandbox is off here (sandboxed-agents.test.ts runs them confined).

let env: ExecutionEnv;
const strays: number[] = [];

beforeEach(async () => {
  env = await createExecutionEnv();
});
afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  await env.cleanup();
});

/** A shell agent: `body` runs in the slice's worktree after an edit the gates accept. */
async function shellAgent(name: string, body: string): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(
    path,
    `#!/bin/sh\nset -e\nprintf '\\n// a harmless edit\\n' >> src/parser.js\ncommon=$(git rev-parse --git-common-dir)\n${body}\n`,
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function runGoal(agent: string, ...flags: string[]): Promise<string> {
  const result = await env.omk(
    'goal',
    'run',
    GOALS.single,
    '--agent',
    agent,
    '--sandbox',
    'off',
    '--json',
    ...flags,
  );
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/** The blocking findings of the goal's proof, and that it is neither ready nor in main. */
async function expectBlocked(id: string, mainBefore: string): Promise<string[]> {
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
  return proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
}

function sharedGit(): string {
  return join(env.repo.root, '.git');
}

describe('an agent that writes outside its worktree', () => {
  it('plants a post-commit hook: blocked, the hook removed before omk commits, never run', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const marker = join(env.kit.dir, 'hook-ran');
    const agent = await shellAgent(
      'hook',
      `printf '#!/bin/sh\\ntouch ${marker}\\n' > "$common/hooks/post-commit"\nchmod +x "$common/hooks/post-commit"`,
    );
    const id = await runGoal(agent);
    const blocking = await expectBlocked(id, main);
    expect(blocking).toEqual([
      expect.stringContaining(
        'The agent added .git/hooks/post-commit, outside its worktree; omk restored it',
      ),
    ]);
    expect(existsSync(join(sharedGit(), 'hooks', 'post-commit'))).toBe(false);
    // A commit in the main checkout by the user's own git would run it: it is gone.
    git(env.repo.root, 'commit', '--quiet', '--allow-empty', '-m', 'after');
    expect(existsSync(marker)).toBe(false);
  });

  it('sets core.hooksPath and http.proxy in the shared config: blocked, the config put back byte for byte', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const before = await readFile(join(sharedGit(), 'config'));
    const agent = await shellAgent(
      'config',
      'git config core.hooksPath /tmp/evil-hooks\ngit config http.proxy http://127.0.0.1:9',
    );
    const id = await runGoal(agent);
    expect(await expectBlocked(id, main)).toEqual([
      expect.stringContaining('The agent changed .git/config, outside its worktree; omk restored it'),
    ]);
    expect((await readFile(join(sharedGit(), 'config'))).equals(before)).toBe(true);
  });

  it("edits omk's ~/.gitconfig (a temp HOME) by its path: blocked, the file removed again", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    // Its own HOME is not omk's (agent-home.test.ts): unsandboxed, it can still name omk's by path.
    const agent = await shellAgent(
      'global',
      `git config --file ${join(env.stateDir, '.gitconfig')} url.http://127.0.0.1:9/.insteadOf https://github.com/`,
    );
    const id = await runGoal(agent);
    expect(await expectBlocked(id, main)).toEqual([
      expect.stringContaining('The agent added ~/.gitconfig, outside its worktree; omk restored it'),
    ]);
    expect(existsSync(join(env.stateDir, '.gitconfig'))).toBe(false);
  });

  it("moves the main checkout's branch: blocked, and said that it cannot be restored", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'refs',
      'git -c user.name=a -c user.email=a@example.invalid commit --quiet -am sneak\ngit update-ref refs/heads/main HEAD',
    );
    const id = await runGoal(agent);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toEqual([
      expect.stringContaining(
        "changed HEAD of the repository's checkout, outside its worktree; omk cannot restore it",
      ),
    ]);
    expect(git(env.repo.root, 'rev-parse', 'main')).not.toBe(main);
  });

  it('replaces a source file by a symlink to /etc/passwd: blocked, the link named', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent('link', 'rm src/parser.js\nln -s /etc/passwd src/parser.js');
    const id = await runGoal(agent);
    expect(await expectBlocked(id, main)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"src/parser.js" is a symbolic link to "/etc/passwd", outside the worktree'),
      ]),
    );
  });
});

describe('an agent that hard-links a file from outside its worktree', () => {
  it("links the user's shell profile into the repository: blocked, the link named", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    // Same filesystem as the worktree (both under the test's temp): link(2) succeeds unsandboxed.
    const profile = join(env.kit.dir, 'user-bashrc');
    await writeFile(profile, 'export SECRET_OF_THE_USER=1\n');
    const agent = await shellAgent('hardlink', `ln ${profile} src/profile.txt`);
    const id = await runGoal(agent);
    expect(await expectBlocked(id, main)).toContainEqual(
      expect.stringContaining(
        '"src/profile.txt" is a hard link (2 names on disk, not all of them in the change)',
      ),
    );
  });
});

describe('an agent whose commit message would close an issue', () => {
  it('commits "Fixes #1": the proof warns that merging closes issue #1', async () => {
    const agent = await shellAgent(
      'closes',
      `git add -A && git -c user.name=a -c user.email=a@example.com commit -q -m 'Tidy the parser' -m 'Fixes #1, closes other/repo#2'`,
    );
    const id = await runGoal(agent);
    const proof = await env.proof(id);
    expect(proof.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining(
          'hold "Fixes #1", "closes other/repo#2": merged into the default branch',
        ),
      }),
    );
  });
});

describe('an agent that leaves a process behind', () => {
  it('a setsid escapee that would patch the worktree later is killed and blocks the slice', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const pidFile = join(env.kit.dir, 'stray.pid');
    const agent = await shellAgent(
      'setsid',
      // It waits until the escapee runs in its own session: ended earlier, the escapee would still be
      // in the agent's process group and die with it, which is no escape to find.
      [
        `setsid sh -c 'touch ${pidFile}.up; sleep 2; echo "// patched later" >> src/parser.js; sleep 300' </dev/null >/dev/null 2>&1 &`,
        `echo $! > ${pidFile}`,
        `while [ ! -f ${pidFile}.up ]; do sleep 0.05; done`,
      ].join('\n'),
    );
    // The worktrees are kept to be looked into after the run (a settled goal's are removed).
    const id = await runGoal(agent, '--keep-worktrees');
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    // The shell and the sleep it runs: both were found by their working directory.
    const blocking = await expectBlocked(id, main);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        new RegExp(`^The agent left process ${pid} running in the worktree after it ended`),
      ),
    );
    expect(blocking.every((message) => message.includes('omk killed it'))).toBe(true);
    // The escapee is the only writer: once it is gone, nothing can patch the worktree any more.
    await waitFor('the escapee to be gone', () => !isAlive(pid), 5_000);
    const worktrees = join(env.stateDir, 'worktrees', id);
    for (const slice of await readdir(worktrees)) {
      const file = join(worktrees, slice, 'src', 'parser.js');
      if (existsSync(file)) expect(await readFile(file, 'utf8')).not.toContain('patched later');
    }
    expect(
      execFileSync('git', ['status', '--porcelain'], {
        cwd: join(worktrees, (await readdir(worktrees))[0] ?? ''),
      }).toString(),
    ).toBe('');
  });
});

describe("a process out of omk's reach that plants a hook between two slices", () => {
  it("is caught before the next slice's agent: that slice is refused, the hook named and removed, the goal never ready", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const hook = join(sharedGit(), 'hooks', 'post-checkout');
    const eventsDir = join(env.stateDir, 'goals');
    // Slice A's agent makes a fine change. An agent's own escapee is ended with its run by the
    // subreaper (escapees.test.ts); one started through a service (`systemd-run --user`, `at`) is
    // not: this test plays that process. Once slice A is done, every check of A passed, it plants
    // the hook before slice B starts.
    const path = join(env.kit.dir, 'delayed.sh');
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'set -e',
        'case "$OMK_TASK_ID" in',
        "  s1-*) printf '\\n// a harmless edit\\n' >> src/parser.js ;;",
        "  *) printf '\\n// a harmless note\\n' >> test/parser.test.js ;;",
        'esac',
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    let planting = true;
    const planter = (async () => {
      while (planting) {
        const goals = await readdir(eventsDir).catch(() => []);
        const events = await Promise.all(
          goals.map((goal) => readFile(join(eventsDir, goal, 'events.jsonl'), 'utf8').catch(() => '')),
        );
        if (events.some((text) => text.includes('task_done'))) {
          await writeFile(hook, '#!/bin/sh\necho planted\n', { mode: 0o755 });
          return true;
        }
        await new Promise((done) => setTimeout(done, 5));
      }
      return false;
    })();
    const result = await env.omk(
      'goal',
      'run',
      GOALS.chain,
      '--agent',
      `script:${path}`,
      '--sandbox',
      'off',
      '--json',
    );
    planting = false;
    expect(await planter).toBe(true);
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const blocking = await expectBlocked(id, main);
    expect(blocking).toEqual([
      expect.stringContaining(
        `.git/hooks/post-checkout was added since this goal run began, before the agent of ${SLICES.regression} started`,
      ),
    ]);
    const graph = await env.graph(id);
    expect(graph.tasks.map((task) => [task.id, task.status])).toEqual([
      [SLICES.parser, 'done'],
      [SLICES.regression, 'failed'],
    ]);
    expect(existsSync(hook)).toBe(false);
    expect((await env.goal(id)).status).not.toBe('ready');
  });
});

describe('an agent whose code changes the worktree while the gates run', () => {
  it('a test that patches a source file during the gate run blocks the slice', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const agent = await shellAgent(
      'gate-patch',
      `cat > test/sneak.test.js <<'JS'
import { appendFileSync } from 'node:fs';
import { test } from 'node:test';
test('sneak', () => appendFileSync('src/parser.js', '// changed by a test\\n'));
JS`,
    );
    const id = await runGoal(agent);
    // The new test file is also outside the slice's write set; the change during the gates is what
    // matters here.
    expect(await expectBlocked(id, main)).toContainEqual(
      expect.stringContaining('The worktree changed while its gates ran (1 uncommitted change)'),
    );
  });
});

/** Every file under `dir`, as text. */
async function allText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return parts.join('\n');
}

describe('an agent that reads the token and prints tokens', () => {
  it("looks for the checkout's persisted token (taken out of .git/config) and prints a GitHub token: neither is in anything omk wrote", async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    // As actions/checkout persists it, and as omk was given it.
    const token = `ghs_${'Kq3vX9pLm2'.repeat(4)}`;
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    git(env.repo.root, 'config', 'http.https://github.com/.extraheader', header);
    const printed = `ghp_${'Tr7wQ2zNc5'.repeat(4)}`;
    const agent = await shellAgent(
      'tokens',
      [
        // Out of .git/config while agents run: nothing to find (then the agent goes on).
        'git config --get-regexp extraheader || echo "no extraheader to read"',
        'git config --get-regexp extraheader | sed "s/.*basic //" | base64 -d || true',
        `echo "here is ${printed}"`,
        `echo "// ${printed}" >> src/parser.js`,
        `echo "the end ${printed}" >&2`,
      ].join('\n'),
    );
    const result = await runOmk(['goal', 'run', GOALS.single, '--agent', agent, '--json'], {
      cwd: env.repo.root,
      stateDir: env.stateDir,
      env: { GITHUB_TOKEN: token },
    });
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    // The key committed to source is the security review's to block.
    expect(await expectBlocked(id, main)).toContainEqual(
      expect.stringContaining('Secret (GitHub token) added'),
    );
    const written = await allText(env.goalDir(id));
    expect(written).toContain('[redacted]');
    expect(written).toContain('no extraheader to read');
    // Put back once the agents and gates were done.
    expect(git(env.repo.root, 'config', '--get-all', 'http.https://github.com/.extraheader')).toBe(header);
    for (const secret of [token, printed, header.slice('AUTHORIZATION: basic '.length)]) {
      expect(written).not.toContain(secret);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });
});

describe('an agent whose tests leave a process behind', () => {
  it('the escapee a gate started is killed after the gates and blocks the slice', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const pidFile = join(env.kit.dir, 'gate-stray.pid');
    const agent = await shellAgent(
      'gate-stray',
      `cat > test/stray.test.js <<'JS'
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
test('stray', () => {
  const child = spawn('setsid', ['sleep', '300'], { stdio: 'ignore' });
  child.unref();
  writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
});
JS`,
    );
    // The worktrees are kept to be looked into after the run (a settled goal's are removed).
    const id = await runGoal(agent, '--keep-worktrees');
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    expect(await expectBlocked(id, main)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^The gates \\(code the agent wrote\\) left process ${pid} running in the worktree`),
      ),
    );
    await waitFor('the escapee to be gone', () => !isAlive(pid), 5_000);
  });
});
