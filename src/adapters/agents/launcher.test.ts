import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentsConfigSchema } from '../../runtime/agents/config.js';
import type { AgentRunInput } from '../../runtime/agents/port.js';
import { type ResolveAgentOptions, resolveAgent } from '../../runtime/agents/registry.js';
import { agentLauncher } from './launcher.js';

let root: string;
let repo: string;
let bin: string;
let artifacts: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-launcher-'));
  repo = join(root, 'repo');
  bin = join(root, 'bin');
  artifacts = join(root, 'artifacts');
  await mkdir(repo);
  await mkdir(bin);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const PROMPT = '# Slice: fix `it` $(touch PWNED) "now"\nsecond line';
const config = (value: unknown = {}) => agentsConfigSchema.parse(value);

/** An executable that records its argv, its prompt file (if any) and its stdin into the workspace. */
async function fakeCli(path: string): Promise<void> {
  await writeFile(
    path,
    `#!${process.execPath}
const fs = require('node:fs');
let stdin = '';
process.stdin.on('data', (d) => (stdin += d));
process.stdin.on('end', () => {
  const e = process.env;
  fs.writeFileSync('received.json', JSON.stringify({
    argv: process.argv.slice(2), stdin, envKeys: Object.keys(e).sort(),
    task: e.OMK_TASK_ID, attempt: e.OMK_ATTEMPT, writes: e.OMK_WRITES,
    promptFile: fs.readFileSync(e.OMK_PROMPT_FILE, 'utf8'),
  }));
});
`,
  );
  await chmod(path, 0o755);
}

function input(): AgentRunInput {
  return {
    goalId: 'g1',
    taskId: 't1',
    attempt: 1,
    task: {
      id: 't1',
      title: 'T',
      description: '',
      ownerRole: 'engineer',
      reads: [],
      writes: ['src'],
      acceptance: [],
    },
    prompt: PROMPT,
    cwd: repo,
    timeoutMs: 20_000,
    artifactsDir: artifacts,
  };
}

async function received(): Promise<{
  argv: string[];
  stdin: string;
  envKeys: string[];
  [k: string]: unknown;
}> {
  return JSON.parse(await readFile(join(repo, 'received.json'), 'utf8'));
}

const env = () => ({
  PATH: bin,
  HOME: root,
  GITHUB_TOKEN: 'ghs_abcdefghijklmnopqrstuvwxyz',
  ANTHROPIC_API_KEY: 'k',
});
const promptFile = () => join(artifacts, 'prompt-1.md');

/** The agent a front door would run: the runtime's choice, built by this adapter. */
const launch = (spec: string, options: Omit<ResolveAgentOptions, 'launcher'>) =>
  resolveAgent(spec, { ...options, launcher: agentLauncher });

describe('agentLauncher: presets', () => {
  it.each([
    [
      'claude',
      () => [
        '-p',
        PROMPT,
        '--output-format',
        'json',
        '--permission-mode',
        'acceptEdits',
        '--allowedTools',
        'Bash',
      ],
    ],
    ['codex', () => ['exec', '--sandbox', 'workspace-write', '--skip-git-repo-check', '--json', PROMPT]],
    ['gemini', () => ['-p', PROMPT, '--output-format', 'json', '--skip-trust', '--yolo']],
    ['kimi', () => ['--print', '-p', PROMPT]],
    ['aider', () => ['--yes-always', '--no-auto-commits', '--no-gitignore', '--message-file', promptFile()]],
    ['opencode', () => ['run', '--format', 'json', '--auto', PROMPT]],
  ])('%s runs headless with the prompt in place', async (name, expected) => {
    await fakeCli(join(bin, name));
    const agent = launch(name, { repoRoot: repo, config: config(), env: env() });
    expect(agent.name).toBe(name);
    const result = await agent.run(input());
    expect(result.outcome).toBe('succeeded');
    const got = await received();
    expect(got.argv).toEqual(expected());
    expect(got.promptFile).toBe(PROMPT);
    expect(got.envKeys).not.toContain('GITHUB_TOKEN');
  });

  it('appends configured extra arguments and passes configured env names', async () => {
    await fakeCli(join(bin, 'claude'));
    const cfg = config({ settings: { claude: { extraArgs: ['--model', 'opus'], env: ['CLAUDE_EXTRA'] } } });
    const agent = launch('claude', {
      repoRoot: repo,
      config: cfg,
      env: { ...env(), CLAUDE_EXTRA: 'x' },
    });
    await agent.run(input());
    const got = await received();
    expect(got.argv.slice(-2)).toEqual(['--model', 'opus']);
    expect(got.envKeys).toEqual(expect.arrayContaining(['ANTHROPIC_API_KEY', 'CLAUDE_EXTRA']));
  });

  it('refuses preset settings that ask for a GitHub token', () => {
    const cfg = config({ settings: { claude: { env: ['GITHUB_TOKEN'] } } });
    expect(() => launch('claude', { repoRoot: repo, config: cfg, env: env() })).toThrow(/GITHUB_TOKEN/);
  });

  it('a missing preset CLI is a crashed run that says how to fix it', async () => {
    const result = await launch('codex', { repoRoot: repo, config: config(), env: env() }).run(input());
    expect(result).toMatchObject({ outcome: 'crashed' });
    expect(result.summary).toBe(
      "agent executable 'codex' was not found; install it or pick another with --agent",
    );
  });
});

describe('agentLauncher: scripts, custom commands, demo', () => {
  it('script: runs the user executable with the prompt on stdin and the task in env', async () => {
    await fakeCli(join(repo, 'fix.sh'));
    const agent = launch('script:./fix.sh', { repoRoot: repo, config: config(), env: env() });
    expect(agent.name).toBe('script:./fix.sh');
    const result = await agent.run(input());
    expect(result.outcome).toBe('succeeded');
    expect(await received()).toMatchObject({
      argv: [],
      stdin: PROMPT,
      promptFile: PROMPT,
      task: 't1',
      attempt: '1',
      writes: '["src"]',
      envKeys: [
        'HOME',
        'OMK_ATTEMPT',
        'OMK_PROMPT_FILE',
        'OMK_TASK_ID',
        'OMK_WRITES',
        'PATH',
        'XDG_CACHE_HOME',
        'XDG_CONFIG_HOME',
        'XDG_DATA_HOME',
        'XDG_STATE_HOME',
      ],
    });
  });

  it('custom: runs the configured command', async () => {
    await fakeCli(join(root, 'mine'));
    const cfg = config({
      custom: { mine: { argv: [join(root, 'mine'), '--task', '{prompt}'], prompt: 'arg' } },
    });
    const agent = launch('mine', { repoRoot: repo, config: cfg, env: env() });
    await agent.run(input());
    expect((await received()).argv).toEqual(['--task', PROMPT]);
  });

  it('custom: may redefine a preset name', async () => {
    await fakeCli(join(root, 'my-claude'));
    const cfg = config({ custom: { claude: { argv: [join(root, 'my-claude')], prompt: 'stdin' } } });
    await launch('claude', { repoRoot: repo, config: cfg, env: env() }).run(input());
    expect(await received()).toMatchObject({ argv: [], stdin: PROMPT });
  });

  it('custom: refuses a config that asks for a GitHub token', () => {
    const cfg = config({ custom: { mine: { argv: ['x'], env: ['GITHUB_TOKEN'] } } });
    expect(() => launch('mine', { repoRoot: repo, config: cfg, env: env() })).toThrow(
      /may not include GITHUB_TOKEN/,
    );
  });

  it('demo: the built-in agent says what it is', () => {
    expect(launch('demo', { repoRoot: repo, config: config(), env: {} }).label).toMatch(/not a real AI/);
  });
});

describe('agentLauncher: the installed CLI version picks the argv', () => {
  /** A gemini that answers --version like 0.30.0 did, and otherwise records its argv. */
  async function gemini(version: string): Promise<void> {
    await writeFile(
      join(bin, 'gemini'),
      `#!${process.execPath}
if (process.argv[2] === '--version') { console.log(${JSON.stringify(version)}); process.exit(0); }
require('node:fs').writeFileSync('received.json', JSON.stringify({ argv: process.argv.slice(2) }));
`,
    );
    await chmod(join(bin, 'gemini'), 0o755);
  }

  it('reads the version line --version prints; null when the CLI is missing', async () => {
    await gemini('0.30.0');
    expect(await agentLauncher.cliVersion('gemini', env(), repo)).toBe('0.30.0');
    expect(await agentLauncher.cliVersion('codex', env(), repo)).toBeNull();
  });

  it.each([
    ['0.30.0', false],
    ['0.61.0', true],
  ])('gemini %s runs with --skip-trust: %s', async (version, skipTrust) => {
    await gemini(version);
    const cliVersion = await agentLauncher.cliVersion('gemini', env(), repo);
    const agent = launch('gemini', { repoRoot: repo, config: config(), env: env(), cliVersion });
    expect((await agent.run(input())).outcome).toBe('succeeded');
    const { argv } = await received();
    expect(argv.includes('--skip-trust')).toBe(skipTrust);
    expect(argv).toEqual(expect.arrayContaining(['-p', PROMPT, '--output-format', 'json', '--yolo']));
  });
});
