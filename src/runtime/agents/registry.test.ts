import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { agentsConfigSchema } from './config.js';
import type { Agent, AgentCommand, AgentLauncher } from './port.js';
import { agentExecutable, listAgentPresets, resolveAgent } from './registry.js';

// Which agent runs is decided here, as data; running it is the launcher's job (tested with the
// process adapter in src/adapters/agents/launcher.test.ts).

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'omk-registry-'));
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

const config = (value: unknown = {}) => agentsConfigSchema.parse(value);
const HOST_ENV = { PATH: '/bin', HOME: '/home/me' };

interface Launched {
  command: AgentCommand | 'demo';
  hostEnv: Readonly<Record<string, string | undefined>> | null;
}

/** A launcher that records what it was asked to build and builds agents that never run. */
function recordingLauncher(): { launcher: AgentLauncher; launched: Launched[] } {
  const launched: Launched[] = [];
  const agent = (name: string, label: string): Agent => ({
    name,
    label,
    run: () => Promise.reject(new Error('not run in this test')),
  });
  const launcher: AgentLauncher = {
    demo: () => {
      launched.push({ command: 'demo', hostEnv: null });
      return agent('demo', 'demo');
    },
    command: (command, hostEnv) => {
      launched.push({ command, hostEnv });
      return agent(command.name, command.label);
    },
    cliVersion: () => Promise.reject(new Error('not asked in this test')),
  };
  return { launcher, launched };
}

function resolved(spec: string, value: unknown = {}): Launched | undefined {
  const { launcher, launched } = recordingLauncher();
  resolveAgent(spec, { repoRoot: repo, config: config(value), env: HOST_ENV, launcher });
  return launched[0];
}

describe('resolveAgent: what to launch', () => {
  it('a preset: its argv template and credential names, plus configured extras, with the host env', () => {
    const launched = resolved('claude', {
      settings: {
        claude: { extraArgs: ['--model', 'opus'], env: ['CLAUDE_EXTRA'], home: ['~/.config/claude-extra'] },
      },
    });
    expect(launched).toEqual({
      command: {
        name: 'claude',
        label: 'claude (claude CLI)',
        argv: [
          'claude',
          '-p',
          '{prompt}',
          '--output-format',
          'json',
          '--permission-mode',
          'acceptEdits',
          '--allowedTools',
          'Bash',
          '--model',
          'opus',
        ],
        prompt: 'arg',
        envNames: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_EXTRA'],
        missingLogin:
          'no login was found for it either (none of ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN is set and there is no ~/.claude/.credentials.json): run `claude` once in a terminal and log in with /login, or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN',
        usage: 'claude',
        startupSilenceMs: null,
        networkStallMs: 120_000,
        home: [
          { path: '.claude.json' },
          { path: '.claude/.credentials.json' },
          { path: '.claude/settings.json' },
          { path: '.config/claude-extra' },
        ],
      },
      hostEnv: HOST_ENV,
    });
  });

  it('a script: its absolute path, the prompt on stdin, usage as JSON', async () => {
    await writeFile(join(repo, 'fix.sh'), '#!/bin/sh\n');
    await chmod(join(repo, 'fix.sh'), 0o755);
    const settings = { 'script:./fix.sh': { extraArgs: ['-v'], startupSilence: '5s' } };
    expect(resolved(' script:./fix.sh ', { startupSilence: '2m', settings })).toEqual({
      command: {
        name: 'script:./fix.sh',
        label: 'script ./fix.sh',
        argv: [join(repo, 'fix.sh'), '-v'],
        prompt: 'stdin',
        envNames: [],
        home: [],
        usage: 'json',
        startupSilenceMs: 5_000,
        networkStallMs: null,
      },
      hostEnv: HOST_ENV,
    });
  });

  it('a custom command, which may redefine a preset name', () => {
    const custom = { claude: { argv: ['/opt/my-claude', '{promptFile}'], prompt: 'file', env: ['MINE'] } };
    expect(resolved('claude', { custom, startupSilence: '2m' })?.command).toEqual({
      name: 'claude',
      label: 'custom agent claude (/opt/my-claude)',
      argv: ['/opt/my-claude', '{promptFile}'],
      prompt: 'file',
      envNames: ['MINE'],
      home: [],
      usage: 'none',
      startupSilenceMs: 120_000,
      networkStallMs: null,
    });
  });

  it.each([
    ['codex', {}, 120_000],
    ['codex', { networkStall: '30s' }, 30_000],
    ['codex', { networkStall: '30s', settings: { codex: { networkStall: '5m' } } }, 300_000],
    ['script:./fix.sh', {}, null],
    ['script:./fix.sh', { networkStall: '1m' }, 60_000],
  ] as const)('networkStall for %s with %o is %s', async (spec, agents, expected) => {
    await writeFile(join(repo, 'fix.sh'), '#!/bin/sh\n');
    await chmod(join(repo, 'fix.sh'), 0o755);
    const command = resolved(spec, agents)?.command;
    expect(typeof command === 'object' ? command.networkStallMs : command).toBe(expected);
  });

  it.each([
    ['codex', {}, 60_000],
    ['codex', { startupSilence: '2m' }, 120_000],
    ['opencode', { settings: { opencode: { startupSilence: '5m' } } }, 300_000],
    ['claude', {}, null],
    ['claude', { startupSilence: '2m' }, null],
    ['claude', { settings: { claude: { startupSilence: '10m' } } }, 600_000],
    ['kimi', {}, null],
  ] as const)('startup silence for %s with %j: %s', (spec, agents, expected) => {
    const command = resolved(spec, agents)?.command;
    expect(typeof command === 'object' ? command.startupSilenceMs : command).toBe(expected);
  });

  it('demo: the built-in agent, which gets no environment', () => {
    expect(resolved('demo')).toEqual({ command: 'demo', hostEnv: null });
  });
});

describe('resolveAgent: refusals before anything is launched', () => {
  it.each([
    ['/etc/passwd', 'an absolute path outside HOME'],
    ['../other/.claude', 'it contains ".."'],
    ['.', 'the whole HOME'],
    ['.ssh', '~/.ssh is a credential store'],
    ['~/.ssh/id_rsa', '~/.ssh is a credential store'],
    ['/home/me/.git-credentials', '~/.git-credentials is a credential store'],
    ['.config', '~/.config/gh is a credential store'],
    ['.config/gh/hosts.yml', '~/.config/gh is a credential store'],
  ])('a home entry %s is refused (%s), naming it, before anything is launched', (entry, why) => {
    const { launcher, launched } = recordingLauncher();
    const agents = config({ settings: { claude: { home: [entry] } } });
    const run = () => resolveAgent('claude', { repoRoot: repo, config: agents, env: HOST_ENV, launcher });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(why);
    expect(run).toThrow(`the home entry "${entry}" of claude is refused`);
    expect(launched).toEqual([]);
  });

  it('a custom agent may name an absolute path inside HOME, kept relative to it', () => {
    const custom = { mine: { argv: ['/opt/mine'], home: ['/home/me/.mine/auth.json'] } };
    const command = resolved('mine', { custom })?.command;
    expect(typeof command === 'object' ? command.home : command).toEqual([{ path: '.mine/auth.json' }]);
  });

  it('script: a missing, non-executable or directory path is a clear ConfigError', async () => {
    const { launcher, launched } = recordingLauncher();
    const opts = { repoRoot: repo, config: config(), env: HOST_ENV, launcher };
    expect(() => resolveAgent('script:./nope.sh', opts)).toThrow(ConfigError);
    expect(() => resolveAgent('script:./nope.sh', opts)).toThrow(/agent script ".*nope\.sh" does not exist/);
    await writeFile(join(repo, 'plain.sh'), 'echo hi\n', { mode: 0o644 });
    expect(() => resolveAgent('script:plain.sh', opts)).toThrow(/is not executable/);
    expect(() => resolveAgent('script:.', opts)).toThrow(/is not a file/);
    expect(() => resolveAgent('script:', opts)).toThrow(/needs a path/);
    expect(launched).toEqual([]);
  });

  it('an unknown spec lists the valid names with examples', () => {
    const { launcher, launched } = recordingLauncher();
    const cfg = config({ custom: { mine: { argv: ['x'] } } });
    let error: unknown;
    try {
      resolveAgent('claud', { repoRoot: repo, config: cfg, env: {}, launcher });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(launched).toEqual([]);
    const message = (error as Error).message;
    expect(message).toContain('unknown agent "claud"');
    for (const name of [
      'claude',
      'codex',
      'gemini',
      'kimi',
      'aider',
      'opencode',
      'mine',
      'demo',
      'script:<path>',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).toContain('for example claude, or script:./fix.sh');
    expect(message).not.toContain('--agent');
  });
});

describe('listAgentPresets and agentExecutable', () => {
  it('lists each preset with its argv template', () => {
    const presets = listAgentPresets();
    expect(presets.map((p) => p.name)).toEqual(['claude', 'codex', 'gemini', 'kimi', 'aider', 'opencode']);
    for (const p of presets) {
      expect(p.description).not.toBe('');
      expect(p.argv.some((a) => a.includes('{prompt}') || a.includes('{promptFile}'))).toBe(true);
    }
  });

  it('names what omk doctor should look for', () => {
    const cfg = config({ custom: { mine: { argv: ['my-agent', '{prompt}'] } } });
    const opts = { repoRoot: repo, config: cfg };
    expect(agentExecutable('claude', opts)).toBe('claude');
    expect(agentExecutable('aider', opts)).toBe('aider');
    expect(agentExecutable('mine', opts)).toBe('my-agent');
    expect(agentExecutable('demo', opts)).toBeNull();
    expect(agentExecutable('script:./fix.sh', opts)).toBe(join(repo, 'fix.sh'));
    expect(() => agentExecutable('nope', opts)).toThrow(/unknown agent/);
  });
});
