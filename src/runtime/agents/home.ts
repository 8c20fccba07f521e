import { isAbsolute, join, normalize, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import { quoteUntrusted } from '../graph/paths.js';

/**
 * A file or directory of the user's HOME copied into an agent's own HOME before each run: the
 * agent CLI's login and settings, and nothing else. `path` is relative to HOME, and is where the
 * copy lands in the agent's HOME; where the user moved an XDG directory (`$<xdg>` set), the copy
 * comes from `$<xdg>/<underXdg>` instead.
 */
export interface HomeEntry {
  path: string;
  xdg?: 'XDG_DATA_HOME' | 'XDG_CONFIG_HOME';
  underXdg?: string;
}

/**
 * The credential stores under a HOME that no agent or gate needs: keys, tokens and the logins of
 * tools that push or publish. Never copied into an agent's HOME, and hidden in the sandbox.
 */
export const CREDENTIAL_STORES = {
  dirs: ['.ssh', '.gnupg', '.aws', '.config/gh', '.docker'],
  files: ['.git-credentials', '.netrc', '.npmrc', '.pypirc', '.cargo/credentials.toml'],
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables that point an agent at its own HOME: HOME and the four XDG base directories in it,
 * so a CLI that honours either finds its copied login and writes its cache and state there.
 */
export function agentHomeEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
  };
}

/** Where an entry is read from on this host, or null when there is no HOME to read it from. */
export function homeEntrySource(entry: HomeEntry, env: Env): string | null {
  const xdg = entry.xdg === undefined ? undefined : env[entry.xdg];
  if (xdg !== undefined && xdg !== '' && entry.underXdg !== undefined) return join(xdg, entry.underXdg);
  const home = env.HOME;
  return home === undefined || home === '' ? null : join(home, entry.path);
}

/**
 * The entries of `agents.settings.<name>.home` (or `agents.custom.<name>.home`) as paths relative
 * to HOME. Refused, naming the entry and why: an absolute path outside HOME, a `..`, HOME itself,
 * and any path that is, holds or lies in a credential store.
 */
export function checkedHomeEntries(entries: readonly string[], env: Env, agent: string): HomeEntry[] {
  return entries.map((entry) => ({ path: checkedEntry(entry, env.HOME, agent) }));
}

function checkedEntry(entry: string, home: string | undefined, agent: string): string {
  const refuse = (why: string) =>
    new ConfigError(`agents: the home entry ${quoteUntrusted(entry)} of ${agent} is refused: ${why}`, {
      hint: "list paths relative to your HOME (.claude.json, .config/tool/), each the agent CLI's own login or settings; pass keys by name under env instead",
    });
  let path = entry.startsWith('~/') ? entry.slice(2) : entry;
  if (isAbsolute(path)) {
    const inHome = home === undefined || home === '' ? null : relative(home, path);
    if (inHome === null || inHome.startsWith('..') || isAbsolute(inHome)) {
      throw refuse('it is an absolute path outside HOME');
    }
    path = inHome;
  }
  if (path.split(/[\\/]/).includes('..')) throw refuse('it contains ".."');
  const clean = normalize(path).replace(/\/+$/, '');
  if (clean === '' || clean === '.') throw refuse('it is the whole HOME');
  const store = [...CREDENTIAL_STORES.dirs, ...CREDENTIAL_STORES.files].find(
    (s) => clean === s || clean.startsWith(`${s}/`) || s.startsWith(`${clean}/`),
  );
  if (store !== undefined) {
    throw refuse(`~/${store} is a credential store, which no agent may read`);
  }
  return clean;
}
