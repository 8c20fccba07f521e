import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderDoctorText } from '../../src/runtime/app/render.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

interface Report {
  ok: boolean;
  checks: { id: string; status: string; detail: string; fix?: string }[];
}

/** The directory of the `tool` a shell would run, found by scanning PATH (no `which`); null: none. */
function toolDir(tool: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return dir;
    } catch {
      // not here
    }
  }
  return null;
}

function gitDir(): string {
  const dir = toolDir('git');
  if (dir === null) throw new Error('git is not on PATH');
  return dir;
}

// Only node (and npm beside it) and git: no agent CLI can be found by accident.
const PATH = [...new Set([dirname(process.execPath), gitDir()])].join(':');

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir, env: { PATH } });
const statusOf = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

beforeEach(async () => {
  repo = await createTempRepo({
    'package.json': '{ "name": "fixture", "scripts": { "test": "node --test" } }\n',
  });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

describe('omk doctor', () => {
  it('passes with the demo agent: git, repository, gates and state root ok', async () => {
    const result = await omk('doctor', '--agent', 'demo');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ git: git \d+\.\d+/m);
    expect(result.stdout).toContain(`✓ repository: ${repo.root}`);
    expect(result.stdout).toContain('✓ gates: test (npm run test)');
    expect(result.stdout).toMatch(/^✓ gate test: npm → \//m);
    expect(result.stdout).toMatch(/^✓ agent: demo \(--agent\)/m);
    expect(result.stdout).toContain(`✓ state root: ${state.dir} (writable)`);
    expect(result.stdout).toContain('ready: nothing failed');
  });

  it("lists the gates a goal started now would run: HEAD's, not the checkout's uncommitted edits", async () => {
    // A goal's worktrees hold HEAD: a lint script added without a commit is no gate of it.
    await writeFile(
      join(repo.root, 'package.json'),
      '{ "name": "fixture", "scripts": { "test": "node --test", "lint": "eslint ." } }\n',
    );
    const result = await omk('doctor', '--agent', 'demo');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ gates: test (npm run test)\n');
    expect(result.stdout).not.toContain('lint');
  });

  it("finds a Python gate's tool in the checkout's virtualenv, as the run's gates get it", async () => {
    // ruff is only in .venv/bin: a worktree's gates have it first on PATH, so it is no failure.
    await repo.commit({
      '.omk/config.yml': 'version: 1\ngates:\n  list:\n    - name: lint\n      run: ["ruff", "check", "."]\n',
    });
    const ruff = join(repo.root, '.venv', 'bin', 'ruff');
    await mkdir(dirname(ruff), { recursive: true });
    await writeFile(ruff, '#!/bin/sh\n', { mode: 0o755 });
    const result = await omk('doctor', '--agent', 'demo');
    expect(result.stdout).toContain(`✓ gate lint: ruff → ${ruff}\n`);
    expect(result.code, result.stdout).toBe(0);
  });

  it('fails a go gate whose go.mod asks for a go newer than the one on PATH, naming the go to install', async () => {
    // Every go stops on this go.mod: before 1.21 on its three-part go line, from 1.21 on its version.
    await repo.commit({
      'go.mod': 'module example.com/m\n\ngo 1.99.0\n',
      'm.go': 'package m\n',
      'm_test.go': 'package m\n\nimport "testing"\n\nfunc TestM(t *testing.T) {}\n',
    });
    const go = toolDir('go');
    const result = await runOmk(['doctor', '--agent', 'demo'], {
      cwd: repo.root,
      stateDir: state.dir,
      env: { PATH: [PATH, go ?? ''].join(':') },
    });
    expect(result.code, result.stdout).toBe(2);
    if (go === null) {
      expect(result.stdout).toContain('✗ gate go-test: `go` was not found on PATH');
      return;
    }
    // The fixture's package.json keeps its npm test gate: go's are lint and go-test.
    expect(result.stdout).toMatch(/^✗ gate go-test: `go` \(\/\S+\/go\) cannot start the gate: go: /m);
    expect(result.stdout).toMatch(/^✗ gate lint: `go` /m);
    expect(result.stdout).toMatch(/^✓ gate format: gofmt → /m);
    expect(result.stdout).toContain('fix: Install go >= 1.99.0 where omk runs the gates');
    expect(result.stdout).not.toContain('Install go where');
  });

  it("fails a pytest gate whose addopts names a plugin the gates' python lacks (--cov, pytest-cov)", async () => {
    // The python3 this suite runs with (pyenv's here) has pytest and not pytest-cov: first on PATH,
    // ahead of node's and git's directory (often /usr/bin, whose python3 may have neither).
    await repo.commit({
      'pyproject.toml': '[project]\nname = "m"\n\n[tool.pytest.ini_options]\naddopts = "--cov=m"\n',
      'test_m.py': 'def test_m():\n    assert True\n',
    });
    const python = toolDir('python3');
    if (python === null) throw new Error('python3 is not on PATH');
    const result = await runOmk(['doctor', '--agent', 'demo'], {
      cwd: repo.root,
      stateDir: state.dir,
      env: { PATH: [python, PATH].join(':') },
    });
    expect(result.code, result.stdout).toBe(2);
    expect(result.stdout).toMatch(
      /^✗ gate python-test: `python3` \(\/\S+\/python3\) cannot start the gate: pytest-cov: addopts in pyproject\.toml \[tool\.pytest\.ini_options\] names --cov=m, an option of pytest-cov, which is not installed in the python the gates run/m,
    );
    expect(result.stdout).toContain('fix: Install pytest-cov into the python the gates run');
  });

  it('fails with exit code 2 and the fix when claude is not on PATH', async () => {
    const result = await omk('doctor', '--agent', 'claude');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('✗ agent: `claude` (agent claude) was not found on PATH');
    expect(result.stdout).toContain('    fix: install it: npm install -g @anthropic-ai/claude-code');
    expect(result.stdout).toContain('--agent codex');
    expect(result.stdout).toContain('not ready: 1 failed');
  });

  it('--json prints { ok, checks } and never the GitHub token', async () => {
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const result = await runOmk(['doctor', '--json', '--agent', 'claude', '--repo', repo.root], {
      cwd: state.dir,
      stateDir: state.dir,
      env: { PATH, GITHUB_TOKEN: token },
    });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(statusOf(report)).toEqual({
      git: 'ok',
      repository: 'ok',
      worktrees: 'ok',
      config: 'ok',
      agent: 'fail',
      gates: 'ok',
      'gate:test': 'ok',
      'state-root': 'ok',
      // Available or not on this host (unavailable, it fails: claude would be refused under auto);
      // test/execution/sandboxed-agents.test.ts and src/runtime/doctor/doctor.test.ts check which.
      sandbox: expect.stringMatching(/^(ok|warn|fail)$/),
      'github-token': 'warn',
    });
    expect(report.checks.find((c) => c.id === 'agent')?.fix).toContain('@anthropic-ai/claude-code');
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('reports an invalid config with its hint and a directory that is not a repository', async () => {
    await repo.commit({ '.omk/config.yml': 'version: 1\ngates:\n  timeout: ten minutes\n' });
    const bad = JSON.parse((await omk('doctor', '--json', '--agent', 'demo')).stdout) as Report;
    const config = bad.checks.find((c) => c.id === 'config');
    expect(config?.status).toBe('fail');
    expect(config?.detail).toContain('is invalid');
    expect(config?.fix).toContain('timeout: 10m');

    const outside = await runOmk(['doctor', '--agent', 'demo'], {
      cwd: state.dir,
      stateDir: state.dir,
      env: { PATH },
    });
    expect(outside.code).toBe(2);
    expect(outside.stdout).toContain(`✗ repository: ${state.dir}`);
    expect(outside.stdout).toContain('--repo PATH');
  });

  it('refuses an unknown --format with exit code 2', async () => {
    const result = await omk('doctor', '--format', 'md');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--format: 'md' is not one of text, json.");
  });
});

describe('renderDoctorText', () => {
  it('marks each line, indents continuation lines and the fix, and ends with a verdict', () => {
    const text = renderDoctorText({
      ok: false,
      checks: [
        { id: 'git', title: 'git', status: 'ok', detail: 'git 2.43.0 (2.25 or newer needed)' },
        { id: 'gates', title: 'gates', status: 'warn', detail: 'no gates detected', fix: 'add one' },
        {
          id: 'config',
          title: 'config',
          status: 'fail',
          detail: '.omk/config.yml is invalid:\n✖ bad',
          fix: 'Fix it, for example:\nversion: 1',
        },
      ],
    });
    expect(text).toBe(
      [
        '✓ git: git 2.43.0 (2.25 or newer needed)',
        '! gates: no gates detected',
        '    fix: add one',
        '✗ config: .omk/config.yml is invalid:',
        '    ✖ bad',
        '    fix: Fix it, for example:',
        '         version: 1',
        '',
        'not ready: 1 failed, 1 warning; fix the ✗ lines above',
        '',
      ].join('\n'),
    );
  });
});
