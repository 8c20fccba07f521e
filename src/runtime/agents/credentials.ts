import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HomeEntry } from './home.js';
import type { AgentPreset } from './presets.js';

/**
 * Where a preset's CLI keeps its login, so omk can tell "no credentials at all" from "credentials
 * that did not work" before (or after) a run. Only files the CLI reads under the HOME and XDG
 * directories omk passes to the agent count: the agent sees nothing else.
 */
export interface PresetLogin {
  /** How the user logs the CLI in, by hand, once ("run `codex login` once in a terminal"). */
  how: string;
  /** Login or provider files, each relative to HOME, or to `$<xdg>` when that variable is set. */
  files: readonly HomeEntry[];
  /**
   * `stop`: the CLI cannot work without one of them or a key variable, and does not say so quickly
   * itself (codex retries its provider for minutes), so a run stops before the agent starts.
   * `note`: the CLI says so itself, quickly and in its own words (claude, gemini), or may run
   * without (opencode's free default provider): the finding is only added to doctor and to the
   * message when the run fails.
   */
  preflight: 'stop' | 'note';
}

export interface CredentialFinding {
  /** A key variable or login file that was found; null: none. */
  found: string | null;
  /** What was looked for, as the user would type it (`OPENAI_API_KEY`, `~/.codex/auth.json`). */
  lookedFor: string[];
  /** What is missing, when nothing was found ("none of A, B is set and there is no ~/.x"); else null. */
  missing: string | null;
  /** How to provide one ("run `codex login` once in a terminal, or set A or B"). */
  how: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The file a login entry names, for this environment, and how it is shown. */
function loginFile(entry: PresetLogin['files'][number], env: Env): { path: string | null; shown: string } {
  const xdg = entry.xdg === undefined ? undefined : env[entry.xdg];
  if (xdg !== undefined && xdg !== '' && entry.underXdg !== undefined) {
    return { path: join(xdg, entry.underXdg), shown: `$${entry.xdg}/${entry.underXdg}` };
  }
  const home = env.HOME;
  return {
    path: home === undefined || home === '' ? null : join(home, entry.path),
    shown: `~/${entry.path}`,
  };
}

/**
 * Whether the preset's CLI has credentials here: one of its key variables set, or one of its login
 * files present. `exists` is injectable so tests need no HOME of their own.
 */
export function findCredentials(
  preset: Pick<AgentPreset, 'name' | 'envNames' | 'login'>,
  env: Env,
  exists: (path: string) => boolean = existsSync,
): CredentialFinding {
  const set = preset.envNames.find((name) => (env[name] ?? '') !== '');
  const files = (preset.login?.files ?? []).map((entry) => loginFile(entry, env));
  const lookedFor = [...preset.envNames, ...files.map((file) => file.shown)];
  const how = [
    ...(preset.login === undefined ? [] : [preset.login.how]),
    ...(preset.envNames.length === 0 ? [] : [`set ${preset.envNames.join(' or ')}`]),
  ].join(', or ');
  if (set !== undefined) return { found: set, lookedFor, missing: null, how };
  const file = files.find((f) => f.path !== null && exists(f.path));
  if (file !== undefined) return { found: file.shown, lookedFor, missing: null, how };
  const vars = preset.envNames.length === 0 ? '' : `none of ${preset.envNames.join(', ')} is set`;
  const logins = files.length === 0 ? '' : `there is no ${files.map((f) => f.shown).join(' or ')}`;
  return { found: null, lookedFor, missing: [vars, logins].filter(Boolean).join(' and '), how };
}
