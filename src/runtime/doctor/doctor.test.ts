import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { defaultConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { GateSpec } from '../gates/port.js';
import { runDoctor } from './doctor.js';
import type { DoctorCheck, DoctorInput, DoctorProbes, DoctorReport, DoctorWords } from './types.js';

const ROOT = '/work/repo';
const SHA = 'a'.repeat(40);

function gate(name: string, argv: string[], extra: Partial<GateSpec> = {}): GateSpec {
  return { name, kind: name, argv, required: true, timeoutMs: 600_000, source: 'package.json', ...extra };
}

/** Claude Code 2.1.197's real `--help` (test/fixtures/agents/). */
const CLAUDE_HELP = readFileSync(
  new URL('../../../test/fixtures/agents/claude-2.1.197-help.txt', import.meta.url),
  'utf8',
);

/** Claude Code 2.1.197 answering `--version` and `--help`; other CLIs were not started. */
const claudeCli: DoctorProbes['agentCliOutput'] = async (argv) => {
  if (argv[0] !== 'claude') return { ok: false, error: `spawn ${argv[0]} ENOENT` };
  return { ok: true, value: argv.includes('--version') ? '2.1.197 (Claude Code)\n' : CLAUDE_HELP };
};

/** A healthy machine: git 2.43, a repository with a commit, npm and claude (2.1.197) on PATH. */
function probes(overrides: Partial<DoctorProbes> = {}): DoctorProbes {
  const onPath: Record<string, string> = { npm: '/usr/bin/npm', claude: '/usr/local/bin/claude' };
  return {
    gitVersion: async () => ({ ok: true, value: 'git version 2.43.0\n' }),
    inspectRepo: async () => ({ ok: true, value: { root: ROOT, headSha: SHA } }),
    listWorktrees: async () => ({ ok: true, value: 1 }),
    loadConfig: async () => ({ config: defaultConfig(), path: null }),
    detectGates: async () => [gate('test', ['npm', 'run', 'test'])],
    packageScripts: async () => null,
    nodeManifest: async () => null,
    ownInstall: async () => null,
    findOnPath: async (command) => onPath[command] ?? null,
    fileState: async () => 'ok',
    headFile: async () => null,
    goVersion: async () => null,
    missingPythonModules: async () => [],
    agentCliOutput: claudeCli,
    validateAgent: () => {},
    probeWritableDir: async (path) => ({ ok: true, value: { exists: true, tested: path } }),
    sandbox: async () => ({ available: true, tool: '/usr/bin/bwrap', network: { isolated: true } }),
    subreaper: async () => ({ available: true, tool: '/usr/bin/perl (prctl 157)' }),
    ...overrides,
  };
}

/** The CLI's spelling (src/cli/wording.ts), so the fixes read as a terminal shows them. */
const WORDS: DoctorWords = {
  agent: '--agent',
  repo: '--repo',
  stateDir: '--state-dir',
  forge: '--forge',
  jsonReport: 'omk doctor --json',
  sandboxOff: `set \`sandbox: off\` in .omk/config.yml, or for one run: 'omk goal run "<goal>" --sandbox off'`,
};

const INPUT: DoctorInput = { repoPath: ROOT, agent: undefined, stateRoot: '/state', env: {}, words: WORDS };

async function doctor(input: Partial<DoctorInput> = {}, overrides: Partial<DoctorProbes> = {}) {
  return runDoctor({ ...INPUT, ...input }, probes(overrides));
}

function check(report: DoctorReport, id: string): DoctorCheck {
  const found = report.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

describe('runDoctor', () => {
  it('reports a healthy setup in the order a run needs it, ok despite the missing agent warning', async () => {
    const report = await doctor();
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'git:ok',
      'repository:ok',
      'worktrees:ok',
      'config:ok',
      'agent:warn',
      'gates:ok',
      'gate:test:ok',
      'state-root:ok',
      'sandbox:ok',
    ]);
    expect(report.ok).toBe(true);
    expect(check(report, 'repository').detail).toBe(`${ROOT} at aaaaaaaaaaaa`);
    expect(check(report, 'gates').detail).toBe('test (npm run test)');
    expect(check(report, 'gate:test').detail).toBe('npm → /usr/bin/npm');
  });

  it('every check that is not ok carries a fix', async () => {
    const report = await doctor(
      { agent: 'codex', env: { GH_TOKEN: 'x'.repeat(40) } },
      {
        gitVersion: async () => ({ ok: true, value: 'git version 2.20.1' }),
        detectGates: async () => [],
        probeWritableDir: async () => ({ ok: false, error: 'EACCES: permission denied' }),
      },
    );
    const notOk = report.checks.filter((c) => c.status !== 'ok');
    expect(notOk.map((c) => c.id)).toEqual(['git', 'agent', 'gates', 'state-root', 'github-token']);
    for (const c of notOk) expect(c.fix, c.id).toMatch(/\S/);
  });
});

describe('git', () => {
  it('fails when git cannot be run', async () => {
    const report = await doctor({}, { gitVersion: async () => ({ ok: false, error: 'spawn git ENOENT' }) });
    expect(check(report, 'git')).toMatchObject({
      status: 'fail',
      detail: 'git could not be run: spawn git ENOENT',
      fix: 'install git 2.25 or newer and make sure `git` is on PATH',
    });
    expect(report.ok).toBe(false);
  });

  it.each([
    ['git version 2.25.0', 'ok'],
    ['git version 2.45.1.windows.1', 'ok'],
    ['git version 2.39.3 (Apple Git-146)', 'ok'],
    ['git version 3.0', 'ok'],
    ['git version 2.24.4', 'fail'],
    ['git version 1.9.5', 'fail'],
    ['hub version 2.14.2', 'warn'],
  ])('%s → %s', async (output, status) => {
    const report = await doctor({}, { gitVersion: async () => ({ ok: true, value: output }) });
    expect(check(report, 'git').status).toBe(status);
  });

  it('says why an old git is not enough', async () => {
    const report = await doctor({}, { gitVersion: async () => ({ ok: true, value: 'git version 2.17.1' }) });
    expect(check(report, 'git')).toMatchObject({
      detail: 'git 2.17.1 is older than 2.25: slice worktrees need `git sparse-checkout`',
      fix: 'upgrade git to 2.25 or newer',
    });
  });
});

describe('repository and worktrees', () => {
  it('fails outside a repository and leaves out what needs one', async () => {
    const report = await doctor(
      { repoPath: '/tmp/nothing', agent: 'demo' },
      { inspectRepo: async () => ({ ok: false, error: '/tmp/nothing is not inside a git repository.' }) },
    );
    expect(check(report, 'repository')).toMatchObject({
      status: 'fail',
      detail: '/tmp/nothing is not inside a git repository.',
    });
    expect(check(report, 'repository').fix).toContain('--repo PATH');
    expect(report.checks.map((c) => c.id)).toEqual([
      'git',
      'repository',
      'config',
      'agent',
      'state-root',
      'sandbox',
    ]);
    expect(report.ok).toBe(false);
  });

  it('fails in a repository without commits, still checking worktrees and gates', async () => {
    const report = await doctor(
      {},
      { inspectRepo: async () => ({ ok: true, value: { root: ROOT, headSha: null } }) },
    );
    expect(check(report, 'repository')).toMatchObject({
      status: 'fail',
      detail: `${ROOT} has no commits: a goal needs a base commit to branch its slices from`,
      fix: 'commit once: git add -A && git commit -m "initial commit"',
    });
    expect(check(report, 'worktrees').status).toBe('ok');
    expect(check(report, 'gates').status).toBe('ok');
  });

  it('fails when git worktree list fails', async () => {
    const report = await doctor(
      {},
      { listWorktrees: async () => ({ ok: false, error: 'fatal: not a git repository' }) },
    );
    expect(check(report, 'worktrees')).toMatchObject({
      status: 'fail',
      detail: '`git worktree list` failed: fatal: not a git repository',
    });
    expect(check(report, 'worktrees').fix).toContain('git worktree prune');
  });

  it('counts worktrees', async () => {
    const report = await doctor({}, { listWorktrees: async () => ({ ok: true, value: 3 }) });
    expect(check(report, 'worktrees').detail).toBe('`git worktree list` works (3 worktrees)');
  });
});

describe('config', () => {
  it('names the file it loaded', async () => {
    const report = await doctor(
      {},
      { loadConfig: async () => ({ config: defaultConfig(), path: `${ROOT}/.omk/config.yml` }) },
    );
    expect(check(report, 'config')).toMatchObject({
      status: 'ok',
      detail: `${ROOT}/.omk/config.yml loaded and valid`,
    });
  });

  it('fails with the ConfigError message and its hint as the fix, and skips the gates', async () => {
    const report = await doctor(
      {},
      {
        loadConfig: async () => {
          throw new ConfigError('.omk/config.yml is invalid: gates.timeout', { hint: 'use 10m' });
        },
      },
    );
    expect(check(report, 'config')).toMatchObject({
      status: 'fail',
      detail: '.omk/config.yml is invalid: gates.timeout',
      fix: 'use 10m',
    });
    expect(report.checks.some((c) => c.id === 'gates')).toBe(false);
    expect(report.ok).toBe(false);
  });

  it('turns an unexpected error into a failed line instead of aborting the report', async () => {
    const report = await doctor(
      {},
      {
        loadConfig: async () => {
          throw new Error('EIO: i/o error');
        },
      },
    );
    expect(check(report, 'config')).toMatchObject({
      status: 'fail',
      detail: 'the check could not run: EIO: i/o error',
    });
    expect(check(report, 'state-root').status).toBe('ok');
  });
});

describe('agent', () => {
  it('warns when no agent is selected, with both ways to choose one', async () => {
    const agent = check(await doctor(), 'agent');
    expect(agent.status).toBe('warn');
    expect(agent.fix).toContain('--agent claude');
    expect(agent.fix).toContain('agents.default in .omk/config.yml');
  });

  it('accepts demo without looking anything up', async () => {
    const report = await doctor(
      { agent: 'demo' },
      {
        findOnPath: async () => {
          throw new Error('must not be called');
        },
      },
    );
    expect(check(report, 'agent')).toMatchObject({ status: 'ok' });
    expect(check(report, 'agent').detail).toContain('not an AI');
  });

  it('finds a preset on PATH and names the credential variables that are set, never their values', async () => {
    const report = await doctor({ agent: 'claude', env: { ANTHROPIC_API_KEY: 'sk-ant-secret-value' } });
    const agent = check(report, 'agent');
    expect(agent).toMatchObject({
      status: 'ok',
      detail:
        'claude (--agent): /usr/local/bin/claude; version 2.1.197 (Claude Code), preset tested with 2.1.197; `claude --help` lists every flag it passes; passes ANTHROPIC_API_KEY',
    });
    expect(JSON.stringify(report)).not.toContain('sk-ant-secret-value');
  });

  it("warns when the preset CLI's help does not list a flag the preset passes, with the upgrade", async () => {
    const oldCodexHelp = 'Usage: codex exec [OPTIONS] [PROMPT]\n      --full-auto\n      --json\n';
    const report = await doctor(
      { agent: 'codex' },
      {
        findOnPath: async (command) => (command === 'codex' ? '/usr/bin/codex' : null),
        agentCliOutput: async (argv) => ({
          ok: true,
          value: argv.includes('--version') ? 'codex-cli 0.40.0\n' : oldCodexHelp,
        }),
      },
    );
    const agent = check(report, 'agent');
    expect(agent.status).toBe('warn');
    expect(agent.detail).toContain('version codex-cli 0.40.0, preset tested with 0.171.0');
    expect(agent.detail).toContain(
      '`codex exec --help` does not list --sandbox, --skip-git-repo-check, which the preset passes',
    );
    expect(agent.fix).toContain(
      'upgrade codex (the preset was tested with 0.171.0): npm install -g @openai/codex',
    );
  });

  it('says so when the preset CLI does not answer --version, without failing the check', async () => {
    const report = await doctor(
      { agent: 'claude' },
      { agentCliOutput: async () => ({ ok: false, error: 'claude --version did not finish within 15s' }) },
    );
    const agent = check(report, 'agent');
    expect(agent.status).toBe('ok');
    expect(agent.detail).toContain('`claude --version` failed (claude --version did not finish within 15s)');
    expect(agent.detail).toContain('`claude --help` could not be read');
  });

  it('says a preset without credentials where it looked and how to log it in', async () => {
    const agent = check(await doctor({ agent: 'claude' }), 'agent');
    expect(agent.status).toBe('ok');
    expect(agent.detail).toContain(
      'no credentials found (none of ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN is set and there is no ~/.claude/.credentials.json): run `claude` once in a terminal and log in with /login',
    );
  });

  it('fails codex without credentials (a run would stop before starting it), and passes it once logged in', async () => {
    const home = await mkdtemp(join(tmpdir(), 'omk-doctor-home-'));
    try {
      const probes: Partial<DoctorProbes> = {
        findOnPath: async (command) => (command === 'codex' ? '/usr/bin/codex' : null),
        agentCliOutput: async (argv) => ({
          ok: true,
          value: argv.includes('--version')
            ? 'codex-cli 0.171.0\n'
            : readFileSync(
                new URL('../../../test/fixtures/agents/codex-0.171.0-exec-help.txt', import.meta.url),
                'utf8',
              ),
        }),
      };
      const out = check(await doctor({ agent: 'codex', env: { HOME: home } }, probes), 'agent');
      expect(out.status).toBe('fail');
      expect(out.detail).toContain('no credentials found (none of OPENAI_API_KEY, CODEX_API_KEY is set');
      expect(out.fix).toBe('run `codex login` once in a terminal, or set OPENAI_API_KEY or CODEX_API_KEY');
      await mkdir(join(home, '.codex'));
      await writeFile(join(home, '.codex', 'auth.json'), '{}\n');
      const logged = check(await doctor({ agent: 'codex', env: { HOME: home } }, probes), 'agent');
      expect(logged.status).toBe('ok');
      expect(logged.detail).toContain('; logged in (~/.codex/auth.json)');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('fails a preset missing from PATH with how to install it and the alternatives', async () => {
    const report = await doctor({ agent: 'codex' });
    expect(check(report, 'agent')).toMatchObject({
      status: 'fail',
      detail: '`codex` (agent codex) was not found on PATH',
    });
    const fix = check(report, 'agent').fix ?? '';
    expect(fix).toContain('npm install -g @openai/codex');
    expect(fix).toContain('--agent claude | gemini');
    expect(fix).toContain('demo');
    expect(report.ok).toBe(false);
  });

  it('uses agents.default when --agent is not given', async () => {
    const config = parseConfig('version: 1\nagents:\n  default: gemini\n', '.omk/config.yml');
    const report = await doctor({}, { loadConfig: async () => ({ config, path: '.omk/config.yml' }) });
    expect(check(report, 'agent')).toMatchObject({
      status: 'fail',
      detail: '`gemini` (agent gemini) was not found on PATH',
    });
  });

  it('--agent wins over agents.default', async () => {
    const config = parseConfig('version: 1\nagents:\n  default: gemini\n', '.omk/config.yml');
    const report = await doctor(
      { agent: 'demo' },
      { loadConfig: async () => ({ config, path: '.omk/config.yml' }) },
    );
    expect(check(report, 'agent').status).toBe('ok');
  });

  it.each([
    ['missing', 'does not exist', 'relative to the repository root'],
    ['not-file', 'is not a file', 'relative to the repository root'],
    ['not-executable', 'is not executable', `chmod +x ${ROOT}/fix.sh`],
  ] as const)('fails a script that is %s', async (state, detail, fix) => {
    const agent = check(
      await doctor({ agent: 'script:./fix.sh' }, { fileState: async () => state }),
      'agent',
    );
    expect(agent).toMatchObject({ status: 'fail', detail: `agent script ${ROOT}/fix.sh ${detail}` });
    expect(agent.fix).toContain(fix);
  });

  it('accepts an executable script, resolved against the repository root', async () => {
    const seen: string[] = [];
    const agent = check(
      await doctor(
        { agent: 'script:tools/fix.sh' },
        {
          fileState: async (path) => {
            seen.push(path);
            return 'ok';
          },
        },
      ),
      'agent',
    );
    expect(agent).toMatchObject({
      status: 'ok',
      detail: `script:tools/fix.sh (--agent): ${ROOT}/tools/fix.sh`,
    });
    expect(seen).toEqual([`${ROOT}/tools/fix.sh`]);
  });

  it('fails an unknown agent with the list of valid ones', async () => {
    const agent = check(await doctor({ agent: 'gpt' }), 'agent');
    expect(agent.status).toBe('fail');
    expect(agent.detail).toContain('unknown agent "gpt"');
    expect(agent.fix).toContain('agents.custom');
  });

  it('checks a custom agent from the config, by PATH or by path', async () => {
    const config = parseConfig(
      [
        'version: 1',
        'agents:',
        '  custom:',
        '    mine:',
        '      argv: ["my-agent", "{promptFile}"]',
        '      env: [MY_AGENT_KEY]',
        '    local:',
        '      argv: ["./bin/agent"]',
      ].join('\n'),
      '.omk/config.yml',
    );
    const loadConfig = async () => ({ config, path: '.omk/config.yml' });
    const onPath = check(
      await doctor(
        { agent: 'mine', env: { MY_AGENT_KEY: 'k' } },
        { loadConfig, findOnPath: async (c) => (c === 'my-agent' ? '/opt/bin/my-agent' : null) },
      ),
      'agent',
    );
    expect(onPath).toMatchObject({
      status: 'ok',
      detail: 'mine (--agent): /opt/bin/my-agent; passes MY_AGENT_KEY',
    });
    const byPath = check(
      await doctor({ agent: 'local' }, { loadConfig, fileState: async () => 'not-executable' }),
      'agent',
    );
    expect(byPath).toMatchObject({
      status: 'fail',
      detail: `agent command ${ROOT}/bin/agent (agents.custom.local.argv[0]) is missing or not executable (not-executable)`,
    });
  });

  it('fails when building the agent is refused (a GitHub token asked for)', async () => {
    const report = await doctor(
      { agent: 'claude' },
      {
        validateAgent: () => {
          throw new ConfigError('the agent environment may not include GITHUB_TOKEN', {
            hint: 'remove GITHUB_TOKEN from the agent env list',
          });
        },
      },
    );
    expect(check(report, 'agent')).toMatchObject({
      status: 'fail',
      detail: 'the agent environment may not include GITHUB_TOKEN',
      fix: 'remove GITHUB_TOKEN from the agent env list',
    });
  });

  it('does not judge a custom agent name while the config is broken', async () => {
    const report = await doctor(
      { agent: 'mine' },
      {
        loadConfig: async () => {
          throw new ConfigError('bad config');
        },
      },
    );
    expect(check(report, 'agent')).toMatchObject({
      status: 'warn',
      detail: '--agent mine: not checked, because .omk/config.yml did not load',
    });
  });
});

describe('gates', () => {
  it('warns when nothing is detected: no test gate, no ready proof', async () => {
    const report = await doctor({}, { detectGates: async () => [] });
    expect(check(report, 'gates')).toMatchObject({
      status: 'warn',
      detail: 'no gates detected: without a test gate no proof can be ready',
    });
    expect(check(report, 'gates').fix).toContain('run: ["npm", "test"]');
    expect(report.ok).toBe(true);
  });

  it('warns when gates exist but none is a test', async () => {
    const report = await doctor({}, { detectGates: async () => [gate('lint', ['npm', 'run', 'lint'])] });
    expect(check(report, 'gates')).toMatchObject({
      status: 'warn',
      detail: 'lint (npm run lint); but no test gate: without one no proof can be ready',
    });
  });

  it("looks a gate's bare name up in the checkout's virtualenvs first, as a run's gates get them", async () => {
    const asked: string[][] = [];
    const report = await doctor(
      {},
      {
        detectGates: async () => [gate('lint', ['ruff', 'check', '.'], { kind: 'lint' })],
        findOnPath: async (command, firstDirs = []) => {
          asked.push([...firstDirs]);
          return command === 'ruff' && firstDirs.includes(`${ROOT}/.venv/bin`)
            ? `${ROOT}/.venv/bin/ruff`
            : null;
        },
      },
    );
    expect(asked).toEqual([[`${ROOT}/.venv/bin`, `${ROOT}/venv/bin`]]);
    expect(check(report, 'gate:lint')).toMatchObject({
      status: 'ok',
      detail: `ruff → ${ROOT}/.venv/bin/ruff`,
    });
  });

  it('fails a required gate whose executable is missing, warns for an optional one', async () => {
    const report = await doctor(
      {},
      {
        detectGates: async () => [
          gate('test', ['cargo', 'test'], { source: 'Cargo.toml' }),
          gate('e2e', ['playwright', 'test'], { kind: 'test', required: false, source: '.omk/config.yml' }),
          gate('lint', ['npm', 'run', 'lint']),
        ],
      },
    );
    expect(check(report, 'gates').detail).toBe(
      'test (cargo test), e2e (playwright test, optional), lint (npm run lint)',
    );
    expect(check(report, 'gate:test')).toMatchObject({
      status: 'fail',
      detail: '`cargo` was not found on PATH (required gate, from Cargo.toml)',
    });
    expect(check(report, 'gate:e2e')).toMatchObject({
      status: 'warn',
      detail: '`playwright` was not found on PATH (optional gate, from .omk/config.yml)',
    });
    expect(check(report, 'gate:e2e').fix).toContain('enabled: false');
    // The fix is the one-line YAML `omk goal run` gives for the same gate, ready to paste.
    expect(check(report, 'gate:test').fix).toBe(
      'Install cargo where omk runs the gates (on PATH), or give the gate a command that is installed (a goal cannot be ready without a test gate) in .omk/config.yml: gates: { list: [ { name: "test", run: ["<a test command that is installed>"] } ] }',
    );
    expect(check(report, 'gate:e2e').fix).toBe(
      'Install playwright where omk runs the gates (on PATH), or turn the gate off in .omk/config.yml: gates: { list: [ { name: "e2e", enabled: false } ] }',
    );
    expect(check(report, 'gate:lint').status).toBe('ok');
    expect(report.ok).toBe(false);
  });

  describe("a package script's own tool", () => {
    /** The new user's fixture: mocha and eslint installed, prettier in no node_modules and not on PATH. */
    const installed = new Set([`${ROOT}/node_modules/.bin/mocha`, `${ROOT}/node_modules/.bin/eslint`]);
    const scripts = {
      test: 'NODE_ENV=test mocha',
      lint: 'npm run lint:js',
      'lint:js': 'eslint .',
      format: 'prettier --check .',
    };
    const gates = async () => [
      gate('test', ['npm', 'test']),
      gate('lint', ['npm', 'run', 'lint']),
      gate('format', ['npm', 'run', 'format'], { source: '.omk/config.yml' }),
    ];

    it('fails a required npm-script gate whose first command is neither in node_modules/.bin nor on PATH', async () => {
      const report = await doctor(
        {},
        {
          detectGates: gates,
          packageScripts: async () => scripts,
          fileState: async (path) =>
            installed.has(path) ? 'ok' : path === `${ROOT}/node_modules` ? 'not-file' : 'missing',
        },
      );
      expect(check(report, 'gate:format')).toMatchObject({
        status: 'fail',
        detail:
          '`prettier` is neither in node_modules/.bin nor on PATH: `npm run format` runs scripts.format, which starts with it (required gate, from .omk/config.yml)',
        fix: 'Install prettier where omk runs the gates (on PATH), or turn the gate off (the goal then does not require format) in .omk/config.yml: gates: { list: [ { name: "format", enabled: false } ] }',
      });
      // `npm test` past an assignment, and `npm run lint` through the script it runs.
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'ok',
        detail: `npm → /usr/bin/npm (scripts.test runs mocha → ${ROOT}/node_modules/.bin/mocha)`,
      });
      expect(check(report, 'gate:lint')).toMatchObject({
        status: 'ok',
        detail: `npm → /usr/bin/npm (scripts.lint:js runs eslint → ${ROOT}/node_modules/.bin/eslint)`,
      });
      expect(report.ok).toBe(false);
    });

    it("advises the project's install, by its lock file, for a tool package.json declares but node_modules lacks", async () => {
      const report = await doctor(
        {},
        {
          detectGates: gates,
          packageScripts: async () => scripts,
          nodeManifest: async () => ({
            declared: new Set(['mocha', 'eslint', 'prettier']),
            install: 'npm ci',
          }),
          fileState: async (path) =>
            installed.has(path) ? 'ok' : path === `${ROOT}/node_modules` ? 'not-file' : 'missing',
        },
      );
      expect(check(report, 'gate:format')).toMatchObject({
        status: 'fail',
        detail:
          '`prettier` is neither in node_modules/.bin nor on PATH, though package.json declares it: `npm run format` runs scripts.format, which starts with it (required gate, from .omk/config.yml)',
        fix: 'Install the project\'s dependencies in the checkout with `npm ci` (package.json declares prettier; node_modules lacks it: a stale or partial install), or turn the gate off (the goal then does not require format) in .omk/config.yml: gates: { list: [ { name: "format", enabled: false } ] }',
      });
    });

    it('says when scripts.test chains several tools (xo && ava && tsd): one gate, stopped by the first that fails', async () => {
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['npm', 'run', 'test'])],
          packageScripts: async () => ({ test: 'xo && ava && tsd' }),
          fileState: async (path) => (path === `${ROOT}/node_modules/.bin/xo` ? 'ok' : 'missing'),
        },
      );
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'ok',
        detail:
          `npm → /usr/bin/npm (scripts.test runs xo → ${ROOT}/node_modules/.bin/xo; it chains xo && ava && tsd: ` +
          'the first that fails stops the rest and omk judges them as one test gate, so lint debt fails the tests too; ' +
          'to judge each apart, list them as gates in .omk/config.yml, e.g. gates: { list: [ { name: "lint", kind: "lint", run: ["npx", "xo"] }, ' +
          '{ name: "test", run: ["npx", "ava"] }, { name: "typecheck", kind: "typecheck", run: ["npx", "tsd"] } ] })',
      });
    });

    it("says when scripts.test is a pnpm workspace's `pnpm -r test`: read test by test only with verbose runners, stopped by the first failing package", async () => {
      // lefun-fun/dudo's Makefile runs `pnpm run -r test`; many workspace roots have it as scripts.test.
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['pnpm', 'run', 'test'])],
          packageScripts: async () => ({ test: 'pnpm -r test' }),
          findOnPath: async (command) => `/usr/bin/${command}`,
          fileState: async () => 'missing',
        },
      );
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'ok',
        detail:
          "pnpm → /usr/bin/pnpm (scripts.test runs pnpm → /usr/bin/pnpm; it runs each workspace package's own test script (pnpm -r): " +
          "some package's is not vitest run with no reporter of its own, and pnpm hands every package the same options, so omk asks none of them for a per-test report: " +
          "it reads their output test by test only where every package's runner names all its tests " +
          "(vitest's verbose reporter), else it judges the gate by its exit code, " +
          'and pnpm stops at the first package that fails: the packages after it do not run on that tree (`pnpm -r --no-bail test` runs them all))',
      });
      // Detected from a workspace whose every package runs vitest: omk hands them its verbose reporter.
      const verbose = await doctor(
        {},
        {
          detectGates: async () => [
            gate('test', ['pnpm', 'run', 'test'], {
              report: { format: 'console', args: ['--', '--reporter=verbose'] },
            }),
          ],
          packageScripts: async () => ({ test: 'pnpm -r --no-bail test' }),
          findOnPath: async (command) => `/usr/bin/${command}`,
          fileState: async () => 'missing',
        },
      );
      expect(check(verbose, 'gate:test').detail).toBe(
        "pnpm → /usr/bin/pnpm (scripts.test runs pnpm → /usr/bin/pnpm; it runs each workspace package's own test script (pnpm -r): " +
          'each runs vitest, so omk asks every one for its verbose reporter (`pnpm run test -- --reporter=verbose`) and reads the run test by test)',
      );
    });

    it('warns that a pnpm project without pnpm-lock.yaml gets what its worktrees resolve, not what the checkout has', async () => {
      const unpinned =
        'a pnpm project (packageManager "pnpm@9.15.9") without pnpm-lock.yaml: a worktree that cannot reuse your ' +
        "checkout's node_modules installs with `pnpm install --lockfile=false`, which writes no lockfile into the change " +
        'but takes the newest versions package.json allows, so its dependencies may differ from yours';
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['pnpm', 'run', 'test'])],
          packageScripts: async () => ({ test: 'vitest run' }),
          nodeManifest: async () => ({ declared: new Set(['vitest']), install: 'pnpm install', unpinned }),
          findOnPath: async (command) => `/usr/bin/${command}`,
          fileState: async () => 'ok',
        },
      );
      expect(check(report, 'gates:lockfile')).toMatchObject({ status: 'warn', detail: unpinned });
      expect(check(report, 'gates:lockfile').fix).toContain('commit pnpm-lock.yaml');
      expect(report.ok).toBe(true);
    });

    it("says when npm runs a pretest before the tests (ts-dedent's `pretest: npm run lint`): lint stops the tests too", async () => {
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['npm', 'run', 'test'])],
          packageScripts: async () => ({ pretest: 'npm run lint', test: 'jest', lint: 'eslint .' }),
          fileState: async (path) => (path === `${ROOT}/node_modules/.bin/jest` ? 'ok' : 'missing'),
        },
      );
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'ok',
        detail:
          `npm → /usr/bin/npm (scripts.test runs jest → ${ROOT}/node_modules/.bin/jest; npm runs scripts.pretest first, so it chains eslint && jest: ` +
          'the first that fails stops the rest and omk judges them as one test gate, so lint debt fails the tests too; ' +
          'to judge each apart, list them as gates in .omk/config.yml, e.g. gates: { list: [ { name: "lint", kind: "lint", run: ["npx", "eslint"] }, ' +
          '{ name: "test", run: ["npx", "jest", "--verbose"] } ] })',
      });
    });

    it('finds the tool on PATH, and warns only for an optional gate', async () => {
      const report = await doctor(
        {},
        {
          detectGates: async () => [
            gate('format', ['npm', 'run', 'format']),
            gate('lint', ['pnpm', 'run', 'lint:js'], { required: false }),
          ],
          packageScripts: async () => scripts,
          findOnPath: async (command) =>
            command === 'npm' || command === 'pnpm'
              ? `/usr/bin/${command}`
              : command === 'prettier'
                ? '/opt/bin/prettier'
                : null,
          fileState: async (path) => (path === `${ROOT}/node_modules` ? 'not-file' : 'missing'),
        },
      );
      expect(check(report, 'gate:format').detail).toBe(
        'npm → /usr/bin/npm (scripts.format runs prettier → /opt/bin/prettier)',
      );
      expect(check(report, 'gate:lint')).toMatchObject({ status: 'warn' });
      expect(check(report, 'gate:lint').fix).toContain('enabled: false');
      expect(report.ok).toBe(true);
    });

    it('blames no tool that the run installs: the checkout differs from HEAD in a manifest', async () => {
      const why = 'package.json differs from the base commit, so the run installs the dependencies';
      const report = await doctor(
        {},
        {
          detectGates: gates,
          packageScripts: async () => scripts,
          ownInstall: async () => why,
          fileState: async (path) => (path === `${ROOT}/node_modules` ? 'not-file' : 'missing'),
        },
      );
      expect(check(report, 'gate:format')).toMatchObject({
        status: 'ok',
        detail: `npm → /usr/bin/npm (scripts.format runs prettier, not checked: ${why})`,
      });
    });

    it('blames no tool before the dependencies are installed (no node_modules): a run installs them', async () => {
      const report = await doctor(
        {},
        { detectGates: gates, packageScripts: async () => scripts, fileState: async () => 'missing' },
      );
      expect(check(report, 'gate:format')).toMatchObject({
        status: 'ok',
        detail:
          'npm → /usr/bin/npm (scripts.format runs prettier, not checked: no node_modules, dependencies not installed)',
      });
      expect(report.ok).toBe(true);
    });
  });

  describe("what the gate's toolchain needs, by the rule a run stops on (gates/toolchain-requirements.ts)", () => {
    const goGates = [gate('format', ['gofmt', '-l', '.']), gate('test', ['go', 'test', './...'])];
    const goMachine = (goMod: string, version: string) => ({
      detectGates: async () => goGates,
      findOnPath: async (command: string) => `/usr/local/go/bin/${command}`,
      headFile: async (_root: string, path: string) => (path === 'go.mod' ? goMod : null),
      goVersion: async () => `go version go${version} linux/amd64\n`,
    });

    it('fails a go gate whose go.mod asks for a newer go than installed, with the go to install', async () => {
      const report = await doctor({}, goMachine('module example.com/m\n\ngo 1.22.1\n', '1.21.4'));
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'fail',
        detail:
          '`go` (/usr/local/go/bin/go) cannot start the gate: go: go.mod requires go >= 1.22.1, this go is 1.21.4 (required gate, from package.json)',
      });
      expect(check(report, 'gate:test').fix).toMatch(/^Install go >= 1\.22\.1 where omk runs the gates/);
      expect(check(report, 'gate:test').fix).not.toContain('Install go where');
      // gofmt reads no go.mod: it starts whatever the go line says.
      expect(check(report, 'gate:format').status).toBe('ok');
      expect(report.ok).toBe(false);
    });

    it('fails a go before 1.21 on a three-part go line or a toolchain line, passes it on a newer two-part one', async () => {
      const threePart = await doctor({}, goMachine('module m\n\ngo 1.21.0\n', '1.19.8'));
      expect(check(threePart, 'gate:test').detail).toContain(
        "go: this go cannot read go.mod: invalid go version '1.21.0' (a three-part go line needs Go 1.21 or newer)",
      );
      expect(check(threePart, 'gate:test').fix).toMatch(/^Install go >= 1\.21\.0 where/);
      const toolchain = await doctor({}, goMachine('module m\n\ngo 1.19\n\ntoolchain go1.21.3\n', '1.19.8'));
      expect(check(toolchain, 'gate:test')).toMatchObject({ status: 'fail' });
      expect(check(toolchain, 'gate:test').detail).toContain('unknown directive: toolchain');
      // go 1.19 runs a module asking `go 1.99`: before 1.21 the go line was advice, not a requirement.
      const advisory = await doctor({}, goMachine('module m\n\ngo 1.99\n', '1.19.8'));
      expect(check(advisory, 'gate:test')).toMatchObject({
        status: 'ok',
        detail: 'go → /usr/local/go/bin/go',
      });
      const enough = await doctor({}, goMachine('module m\n\ngo 1.21.0\n\ntoolchain go1.22.0\n', '1.22.0'));
      expect(check(enough, 'gate:test').status).toBe('ok');
    });

    it('does not judge when go does not answer `go version`', async () => {
      const report = await doctor(
        {},
        { ...goMachine('module m\n\ngo 1.99.0\n', '1.19.8'), goVersion: async () => null },
      );
      expect(check(report, 'gate:test').status).toBe('ok');
    });

    it("fails a pytest gate whose addopts names a plugin the gates' python lacks, asking that python once", async () => {
      const asked: [string, string[]][] = [];
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['python3', '-m', 'pytest'])],
          findOnPath: async (command: string) => (command === 'python3' ? `${ROOT}/.venv/bin/python3` : null),
          headFile: async (_root: string, path: string) =>
            path === 'pyproject.toml'
              ? '[project]\nname = "m"\n\n[tool.pytest.ini_options]\naddopts = "--cov=m --cov-report=term -n auto"\n'
              : null,
          missingPythonModules: async (python: string, modules: readonly string[]) => {
            asked.push([python, [...modules]]);
            return modules.filter((module) => module === 'pytest_cov');
          },
        },
      );
      expect(asked).toEqual([[`${ROOT}/.venv/bin/python3`, ['pytest', 'pytest_cov', 'xdist']]]);
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'fail',
        detail: `\`python3\` (${ROOT}/.venv/bin/python3) cannot start the gate: pytest-cov: addopts in pyproject.toml [tool.pytest.ini_options] names --cov=m, an option of pytest-cov, which is not installed in the python the gates run (required gate, from package.json)`,
      });
      expect(check(report, 'gate:test').fix).toMatch(/^Install pytest-cov into the python the gates run/);
    });

    it("fails `python3 -m pytest` where the gates' python cannot import pytest (a virtualenv without it)", async () => {
      const report = await doctor(
        {},
        {
          detectGates: async () => [gate('test', ['python3', '-m', 'pytest'])],
          findOnPath: async (command: string) => (command === 'python3' ? `${ROOT}/.venv/bin/python3` : null),
          headFile: async () => null,
          missingPythonModules: async (_python: string, modules: readonly string[]) =>
            modules.filter((module) => module === 'pytest'),
        },
      );
      expect(check(report, 'gate:test')).toMatchObject({
        status: 'fail',
        detail: `\`python3\` (${ROOT}/.venv/bin/python3) cannot start the gate: pytest: no module named pytest in the python the gates run (required gate, from package.json)`,
      });
      expect(check(report, 'gate:test').fix).toMatch(
        /^Install pytest into the python the gates run \(the checkout's virtualenv if it has one: python -m pip install pytest/,
      );
    });

    it('passes a pytest gate whose plugins are installed, and one whose python cannot be asked', async () => {
      const pytest = {
        detectGates: async () => [gate('test', ['python3', '-m', 'pytest'])],
        findOnPath: async () => '/usr/bin/python3',
        headFile: async (_root: string, path: string) =>
          path === 'setup.cfg' ? '[tool:pytest]\naddopts =\n    --cov=m\n    --timeout=30\n' : null,
      };
      expect(check(await doctor({}, pytest), 'gate:test').status).toBe('ok');
      const unknown = await doctor({}, { ...pytest, missingPythonModules: async () => null });
      expect(check(unknown, 'gate:test').status).toBe('ok');
    });
  });

  it('checks a gate command given as a path against the repository', async () => {
    const seen: string[] = [];
    const report = await doctor(
      {},
      {
        detectGates: async () => [gate('test', ['./scripts/test.sh'])],
        fileState: async (path) => {
          seen.push(path);
          return 'missing';
        },
      },
    );
    expect(seen).toEqual([`${ROOT}/scripts/test.sh`]);
    expect(check(report, 'gate:test')).toMatchObject({
      status: 'fail',
      detail: '`./scripts/test.sh` is missing or not executable (required gate, from package.json)',
    });
  });

  it('fails with the ConfigError of a bad gate list', async () => {
    const report = await doctor(
      {},
      {
        detectGates: async () => {
          throw new ConfigError("gate 'e2e' is required but was not detected", { hint: 'give it a run' });
        },
      },
    );
    expect(report.checks.filter((c) => c.id.startsWith('gate'))).toEqual([
      {
        id: 'gates',
        title: 'gates',
        status: 'fail',
        detail: "gate 'e2e' is required but was not detected",
        fix: 'give it a run',
      },
    ]);
  });
});

describe('state root', () => {
  it('shows the path and that it is writable', async () => {
    expect(check(await doctor(), 'state-root')).toMatchObject({ status: 'ok', detail: '/state (writable)' });
  });

  it('accepts a state root that does not exist yet when its parent is writable', async () => {
    const report = await doctor(
      {},
      { probeWritableDir: async () => ({ ok: true, value: { exists: false, tested: '/' } }) },
    );
    expect(check(report, 'state-root').detail).toBe(
      '/state (does not exist yet; created on first use: / is writable)',
    );
  });

  it('fails when it cannot be written, with --state-dir as the fix', async () => {
    const report = await doctor(
      {},
      { probeWritableDir: async () => ({ ok: false, error: 'EROFS: read-only file system' }) },
    );
    expect(check(report, 'state-root')).toMatchObject({
      status: 'fail',
      detail: '/state is not writable: EROFS: read-only file system',
    });
    expect(check(report, 'state-root').fix).toContain('--state-dir');
  });
});

describe('the words of the fixes', () => {
  it("are the front door's: another spelling leaves no CLI flag in any fix or detail", async () => {
    const words: DoctorWords = {
      agent: 'AGENT',
      repo: 'REPO',
      stateDir: 'STATE_DIR',
      forge: 'FORGE',
      jsonReport: 'REPORT',
      sandboxOff: 'SANDBOX_OFF',
    };
    const report = await doctor(
      { words, repoPath: '/nowhere', agent: 'claude', env: { GITHUB_TOKEN: 'x' } },
      {
        inspectRepo: async () => ({ ok: false, error: 'not a git repository' }),
        findOnPath: async () => null,
        probeWritableDir: async () => ({ ok: false, error: 'EROFS' }),
        loadConfig: async () => {
          throw new Error('boom');
        },
      },
    );
    const text = report.checks.map((c) => `${c.detail}\n${c.fix ?? ''}`).join('\n');
    for (const word of ['REPO PATH', 'STATE_DIR DIR', 'FORGE github', 'AGENT ', 'REPORT']) {
      expect(text).toContain(word);
    }
    expect(text).not.toMatch(/--(agent|repo|state-dir|forge|json)\b/);
  });
});

describe('GitHub token', () => {
  it('is not mentioned when absent', async () => {
    expect((await doctor()).checks.some((c) => c.id === 'github-token')).toBe(false);
  });

  it('warns that it is present without printing it', async () => {
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ0123';
    const report = await doctor({ env: { GITHUB_TOKEN: token, GH_TOKEN: token } });
    expect(check(report, 'github-token')).toMatchObject({
      status: 'warn',
      detail:
        'GITHUB_TOKEN and GH_TOKEN are set: token present; omk uses it for --forge github and the state branch (docs/github.md lists the permissions it needs)',
    });
    expect(JSON.stringify(report)).not.toContain(token);
    expect(report.ok).toBe(true);
  });
});

describe('doctor: sandbox', () => {
  const unavailable = async () =>
    ({
      available: false,
      reason: 'bwrap cannot create namespaces: setting up uid map: Permission denied',
      hint: 'allow unprivileged user namespaces',
    }) as const;
  const withMode = (mode: 'auto' | 'required' | 'off', network: 'open' | 'none' | null = null) => ({
    loadConfig: async () => ({
      config: {
        ...defaultConfig(),
        sandbox: {
          mode,
          network: network === null ? defaultConfig().sandbox.network : { agents: network, gates: network },
          allowedHosts: [],
        },
      },
      path: '.omk/config.yml',
    }),
  });
  const noNetns = async () =>
    ({
      available: true,
      tool: '/usr/bin/bwrap',
      network: {
        isolated: false,
        reason: 'bwrap cannot create a network namespace: Operation not permitted',
      },
    }) as const;

  it('says agents run confined when bwrap works, and the network each kind gets', async () => {
    expect(check(await doctor(), 'sandbox')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(
        'available (/usr/bin/bwrap): agents and gates write only their worktree, credential stores hidden; network isolation available (network: agents open, gates none)',
      ),
    });
  });

  it('says why a network cannot be isolated: warns auto and fails required when the config asks for none', async () => {
    const auto = check(await doctor({}, { sandbox: noNetns }), 'sandbox');
    expect(auto).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        "network isolation unavailable: bwrap cannot create a network namespace: Operation not permitted; confined agents and gates share this host's network",
      ),
      fix: expect.stringContaining('sandbox.network: open'),
    });
    const required = await doctor({}, { sandbox: noNetns, ...withMode('required') });
    expect(required.ok).toBe(false);
    expect(check(required, 'sandbox').status).toBe('fail');
    // Asked for open everywhere, the missing isolation is only noted.
    const open = check(await doctor({}, { sandbox: noNetns, ...withMode('required', 'open') }), 'sandbox');
    expect(open.status).toBe('ok');
    expect(open.detail).toContain('network isolation unavailable');
    expect(open.detail).toContain('not needed: network: agents open, gates open');
  });

  it('warns under auto with the reason, and fails under required naming both ways out', async () => {
    const auto = check(await doctor({}, { sandbox: unavailable }), 'sandbox');
    expect(auto.status).toBe('warn');
    expect(auto.detail).toContain('setting up uid map: Permission denied');
    // What the fallback means for a goal, and both ways out: confine, or declare the agents trusted.
    expect(auto.detail).toContain(
      "under sandbox: auto only omk's demo agent runs here (unconfined, as gates do",
    );
    expect(auto.detail).toMatch(/: any other agent is refused before it starts$/);
    expect(auto.fix).toMatch(
      /^allow unprivileged user namespaces; or, to declare the agents trusted, set `sandbox: off`/,
    );
    const required = await doctor({}, { sandbox: unavailable, ...withMode('required') });
    expect(required.ok).toBe(false);
    expect(check(required, 'sandbox').status).toBe('fail');
    expect(check(required, 'sandbox').fix).toMatch(/user namespaces.*sandbox: off/);
    // The one-run way out in the front door's words.
    expect(auto.fix).toContain(
      `or, to declare the agents trusted, set \`sandbox: off\` in .omk/config.yml, or for one run: 'omk goal run "<goal>" --sandbox off': they then run unconfined`,
    );
    expect(check(required, 'sandbox').fix).toContain(`or for one run: 'omk goal run "<goal>" --sandbox off'`);
  });

  it('fails under auto when the agent checked is not the demo: its run would be refused before it starts', async () => {
    for (const agent of ['script:./fix.sh', 'claude']) {
      const report = await doctor({ agent }, { sandbox: unavailable });
      expect(report.ok).toBe(false);
      const sandbox = check(report, 'sandbox');
      expect(sandbox.status).toBe('fail');
      expect(sandbox.detail).toContain(
        `under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${agent} would be refused before it starts`,
      );
      expect(sandbox.fix).toMatch(
        /^allow unprivileged user namespaces; or, to declare the agents trusted, set `sandbox: off`/,
      );
    }
    // The demo agent still runs here, unconfined: a warning.
    const demo = await doctor({ agent: 'demo' }, { sandbox: unavailable });
    expect(check(demo, 'sandbox').status).toBe('warn');
  });

  it('says whether unconfined runs end what they leave running (the subreaper), and why not', async () => {
    const off = check(await doctor({}, withMode('off')), 'sandbox');
    expect(off.detail).toContain(
      'each run ends what it leaves running (subreaper: /usr/bin/perl (prctl 157))',
    );
    const none = async () =>
      ({
        available: false,
        reason: 'darwin has no child subreaper (Linux only)',
        hint: 'run agents on Linux',
      }) as const;
    const bare = check(await doctor({}, { subreaper: none, ...withMode('off') }), 'sandbox');
    expect(bare.status).toBe('warn');
    expect(bare.detail).toContain(
      'nothing ends what a run leaves running in a session of its own (no subreaper: darwin has no child subreaper (Linux only))',
    );
    expect(bare.fix).toContain('run agents on Linux');
    const auto = check(await doctor({}, { sandbox: unavailable, subreaper: none }), 'sandbox');
    expect(auto.detail).toContain('no subreaper: darwin has no child subreaper');
    // Confined, the sandbox's pid namespace ends them: the subreaper is not mentioned.
    expect(check(await doctor({}, { subreaper: none }), 'sandbox').detail).not.toContain('subreaper');
  });

  it('fails sandbox.network: allow without its proxy bridge (socat) or without allowed hosts, whatever the mode', async () => {
    const allowIn = (mode: 'auto' | 'required', allowedHosts: string[]) => ({
      loadConfig: async () => ({
        config: {
          ...defaultConfig(),
          sandbox: { mode, network: { agents: 'allow' as const, gates: 'none' as const }, allowedHosts },
        },
        path: '.omk/config.yml',
      }),
    });
    const noSocat = async () =>
      ({
        available: true,
        tool: '/usr/bin/bwrap',
        network: { isolated: true },
        proxy: { available: false, reason: 'socat not found on the PATH' },
      }) as const;
    const withSocat = async () =>
      ({
        available: true,
        tool: '/usr/bin/bwrap',
        network: { isolated: true },
        proxy: { available: true },
      }) as const;
    for (const mode of ['auto', 'required'] as const) {
      const missing = await doctor({}, { sandbox: noSocat, ...allowIn(mode, ['api.anthropic.com']) });
      expect(missing.ok).toBe(false);
      expect(check(missing, 'sandbox')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('cannot run its proxy bridge: socat not found on the PATH'),
        fix: expect.stringContaining('install socat'),
      });
    }
    const noHosts = check(await doctor({}, { sandbox: withSocat, ...allowIn('auto', []) }), 'sandbox');
    expect(noHosts).toMatchObject({ status: 'fail', detail: expect.stringContaining('lists no host') });
    const ready = check(
      await doctor({}, { sandbox: withSocat, ...allowIn('auto', ['api.anthropic.com']) }),
      'sandbox',
    );
    expect(ready.status).toBe('ok');
  });

  it('does not probe when the sandbox is off, and warns that agents run unconfined, as the proof says', async () => {
    const report = await doctor(
      {},
      {
        ...withMode('off'),
        sandbox: async () => {
          throw new Error('probed although off');
        },
      },
    );
    expect(check(report, 'sandbox')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        'unconfined (the proof says so: a line of its text and Markdown and of the PR bodies)',
      ),
    });
  });
});
