import { ConfigError } from '../errors.js';

/**
 * What every agent needs to start a CLI, find its own config and credentials under HOME and print
 * text. None of these is a secret. The XDG directories are here because several agent CLIs keep
 * their login under them, and a user who moved them would otherwise look logged out.
 */
export const BASE_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TERM',
  'TMPDIR',
  'USER',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
];

/** Tokens that can push to or administer the repository: an agent never holds them. */
export const FORBIDDEN_ENV_NAMES: readonly string[] = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_PAT',
  'OMK_GITHUB_TOKEN',
  'INPUT_GITHUB-TOKEN',
  'INPUT_GITHUB_TOKEN',
  'INPUT_CI-TOKEN',
  'INPUT_CI_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_ENTERPRISE_TOKEN',
];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Case-insensitive, and wider than the list: a renamed copy of a GitHub token (MY_GITHUB_TOKEN)
 * is still the GitHub token, and Windows treats names case-insensitively.
 */
export function isForbiddenEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (FORBIDDEN_ENV_NAMES.includes(upper)) return true;
  if (upper.includes('GITHUB') && /TOKEN|PAT\b|_PAT_|SECRET/.test(upper)) return true;
  return upper.startsWith('ACTIONS_') && upper.includes('TOKEN');
}

/**
 * The complete environment of an agent process: the base allowlist plus the credential names of
 * the agent and those the user configured. Asking for a GitHub token is a configuration error,
 * never a silent drop, so a user who expected it to arrive learns why it does not.
 */
export function agentEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
  extraNames: readonly string[],
): Record<string, string> {
  for (const name of extraNames) {
    if (isForbiddenEnvName(name)) {
      throw new ConfigError(
        `the agent environment may not include ${name}: agents never receive a GitHub token`,
        {
          hint: `remove ${name} from the agent's env list in .omk/config.yml; omk pushes and opens PRs itself`,
        },
      );
    }
    if (!ENV_NAME.test(name)) {
      throw new ConfigError(`'${name}' is not a valid environment variable name for an agent`, {
        hint: 'use letters, digits and underscores, not starting with a digit',
      });
    }
  }
  const secrets = forbiddenValues(processEnv);
  const env: Record<string, string> = {};
  for (const name of new Set([...BASE_ENV_NAMES, ...extraNames])) {
    const value = processEnv[name];
    if (value === undefined) continue;
    // An allowed name that carries a GitHub token by value (OPENAI_API_KEY=$GITHUB_TOKEN) would
    // leak it all the same.
    if (secrets.has(value)) {
      throw new ConfigError(
        `${name} holds the same value as a GitHub token; refusing to pass it to the agent`,
        {
          hint: `set ${name} to the agent's own credential`,
        },
      );
    }
    env[name] = value;
  }
  return env;
}

function forbiddenValues(processEnv: Readonly<Record<string, string | undefined>>): Set<string> {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(processEnv)) {
    // Short values (empty, "1", "true") are flags, not tokens; matching them would refuse HOME=/.
    if (value !== undefined && value.length >= 16 && isForbiddenEnvName(name)) values.add(value);
  }
  return values;
}
