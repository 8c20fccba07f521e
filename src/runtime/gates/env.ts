/**
 * Variables a gate may see. Gates run code the agent just wrote, so they get what toolchains need
 * to find themselves and their caches, and nothing else: no tokens, no cloud credentials.
 */
export const GATE_ENV_ALLOWLIST: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'TERM',
  'CI',
  'XDG_CACHE_HOME',
  // Toolchains: where they are installed and where their caches live.
  'CARGO_HOME',
  'RUSTUP_HOME',
  'RUSTUP_TOOLCHAIN',
  'GOROOT',
  'GOPATH',
  'GOCACHE',
  'GOMODCACHE',
  'GOFLAGS',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'JAVA_HOME',
  'npm_config_cache',
];

/** Defence in depth: even an allowlisted name is dropped if it looks like it holds a credential. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i;

/** GitHub token prefixes (classic, fine-grained, app, OAuth, refresh). */
const SECRET_VALUE = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/;

/**
 * Forces non-interactive, plain-text runs: `CI` keeps test runners out of watch mode (react-scripts,
 * jest) and matches what the GitHub runner sets; `NO_COLOR` keeps escape codes out of proof tails.
 */
const GATE_ENV_DEFAULTS: Readonly<Record<string, string>> = { CI: 'true', NO_COLOR: '1' };

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The complete environment for gate processes, built from omk's own environment. */
export function gateEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = { ...GATE_ENV_DEFAULTS };
  for (const name of GATE_ENV_ALLOWLIST) {
    const value = processEnv[name];
    if (value === undefined || isSecretName(name) || SECRET_VALUE.test(value)) continue;
    env[name] = value;
  }
  return env;
}
