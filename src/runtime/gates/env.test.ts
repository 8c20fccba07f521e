import { describe, expect, it } from 'vitest';
import { gateEnvironment, isSecretName } from './env.js';

const HOSTILE: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  CARGO_HOME: '/home/runner/.cargo',
  GOPATH: '/home/runner/go',
  VIRTUAL_ENV: '/work/.venv',
  npm_config_cache: '/home/runner/.npm',
  GITHUB_TOKEN: 'ghs_0123456789abcdefghijABCDEFGHIJ',
  GH_TOKEN: 'ghp_0123456789abcdefghijABCDEFGHIJ',
  OMK_GITHUB_TOKEN: 'x',
  'INPUT_GITHUB-TOKEN': 'x',
  ACTIONS_RUNTIME_TOKEN: 'x',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://example.invalid',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ACCESS_KEY_ID: 'x',
  NPM_TOKEN: 'x',
  DB_PASSWORD: 'x',
  OPENAI_API_KEY: 'x',
  ANTHROPIC_API_KEY: 'x',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  NODE_OPTIONS: '--require /tmp/evil.js',
  LD_PRELOAD: '/tmp/evil.so',
  GIT_ASKPASS: '/tmp/askpass',
  // A toolchain variable smuggling a token in its value is dropped too.
  GOFLAGS: '-ldflags=-X=main.t=ghp_0123456789abcdefghijABCDEFGHIJ',
};

describe('gateEnvironment', () => {
  it('passes toolchain variables and nothing secret from a hostile environment', () => {
    expect(gateEnvironment(HOSTILE)).toEqual({
      PATH: '/usr/local/bin:/usr/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      CARGO_HOME: '/home/runner/.cargo',
      GOPATH: '/home/runner/go',
      VIRTUAL_ENV: '/work/.venv',
      npm_config_cache: '/home/runner/.npm',
      CI: 'true',
      NO_COLOR: '1',
    });
  });

  it('keeps the caller CI value and never leaks a value containing a token', () => {
    const env = gateEnvironment({ ...HOSTILE, CI: '1' });
    expect(env.CI).toBe('1');
    const all = Object.entries(env).join('\n');
    expect(all).not.toMatch(/gh[ps]_|TOKEN|SECRET|evil|askpass/i);
  });

  it.each(['GITHUB_TOKEN', 'INPUT_GITHUB-TOKEN', 'my_secret', 'PGPASSWORD', 'API_KEY', 'GCP_CREDENTIALS'])(
    'treats %s as a secret name',
    (name) => {
      expect(isSecretName(name)).toBe(true);
    },
  );
});
