import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { agentEnvironment, FORBIDDEN_ENV_NAMES, isForbiddenEnvName } from './env.js';

const TOKEN = 'ghs_0123456789abcdefghijklmnopqrstuvwxyz';

/** Everything a GitHub runner (and a careless shell) might hold. */
const hostile: Record<string, string | undefined> = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  TERM: 'xterm',
  GITHUB_TOKEN: TOKEN,
  GH_TOKEN: TOKEN,
  GITHUB_PAT: 'github_pat_abcdefghijklmnop',
  OMK_GITHUB_TOKEN: TOKEN,
  'INPUT_GITHUB-TOKEN': TOKEN,
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-abcdefghijkl',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-abcdefghijkl',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  NPM_TOKEN: 'npm-token',
  GITHUB_PATH: '/home/runner/_temp/path',
  ANTHROPIC_API_KEY: 'sk-ant-123',
  OPENAI_API_KEY: undefined,
};

describe('agentEnvironment', () => {
  it('passes only the base allowlist and the requested names that are set', () => {
    const env = agentEnvironment(hostile, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    expect(Object.keys(env).sort()).toEqual(['ANTHROPIC_API_KEY', 'HOME', 'LANG', 'PATH', 'TERM']);
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-123');
    expect(Object.values(env)).not.toContain(TOKEN);
  });

  it('never passes other secrets of the host', () => {
    const env = agentEnvironment(hostile, []);
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'GITHUB_PATH', ...FORBIDDEN_ENV_NAMES]) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it.each([
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GITHUB_PAT',
    'OMK_GITHUB_TOKEN',
    'INPUT_GITHUB-TOKEN',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'github_token',
    'MY_GITHUB_TOKEN',
  ])('refuses a config that asks for %s, naming it', (name) => {
    expect(() => agentEnvironment(hostile, [name])).toThrow(ConfigError);
    expect(() => agentEnvironment(hostile, [name])).toThrow(name);
  });

  it('refuses an allowed name that carries a GitHub token by value', () => {
    const env = { ...hostile, OPENAI_API_KEY: TOKEN };
    expect(() => agentEnvironment(env, ['OPENAI_API_KEY'])).toThrow(/OPENAI_API_KEY holds the same value/);
  });

  it('refuses names that are not environment variable names', () => {
    expect(() => agentEnvironment(hostile, ['A=B'])).toThrow(ConfigError);
    expect(() => agentEnvironment(hostile, ['1ABC'])).toThrow(/not a valid environment variable name/);
  });
});

describe('isForbiddenEnvName', () => {
  it('keeps harmless GitHub variables usable', () => {
    expect(isForbiddenEnvName('GITHUB_PATH')).toBe(false);
    expect(isForbiddenEnvName('GITHUB_REPOSITORY')).toBe(false);
    expect(isForbiddenEnvName('ANTHROPIC_API_KEY')).toBe(false);
    expect(isForbiddenEnvName('GITHUB_APP_CLIENT_SECRET')).toBe(true);
  });
});
