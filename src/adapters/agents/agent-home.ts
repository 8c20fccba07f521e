import { cp, lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { agentHomeEnv, type HomeEntry, homeEntrySource } from '../../runtime/agents/home.js';
import { makePrivateTemp } from '../sandbox/private-temp.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One agent run's own HOME: its variables, and what to remove when the run is over. */
export interface AgentHome {
  path: string;
  /** HOME and XDG_{CONFIG,CACHE,DATA,STATE}_HOME, all inside `path`; RUSTUP_HOME where rustup is. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * A fresh HOME for one agent run, in the user's private temp (0700, next to the sandboxes' own,
 * which every sandbox hides but for its own run's), holding copies of `entries` from the user's
 * HOME. Copies, never links: what the agent writes there (a `~/.gitconfig`, a `~/.bashrc`, a
 * refreshed login) stays there and is removed with it. An entry that is itself a link (dotfiles
 * kept elsewhere) is followed, as the user made it; links inside a copied directory are skipped,
 * so none carries a file from elsewhere (a key) in. A HOME a killed omk left behind is removed by
 * the next one that makes a private temp (`sweepStale`).
 */
export async function makeAgentHome(hostEnv: Env, entries: readonly HomeEntry[]): Promise<AgentHome> {
  const temp = await makePrivateTemp(hostEnv, 'home-');
  const { path } = temp;
  try {
    for (const entry of entries) await copyEntry(entry, hostEnv, path);
  } catch (error) {
    await temp.remove();
    throw error;
  }
  return {
    path,
    env: { ...(await toolchains(hostEnv)), ...agentHomeEnv(path) },
    remove: () => temp.remove(),
  };
}

/**
 * Toolchains installed under the user's HOME that the agent must still find to build and test:
 * rustup's (the `cargo` on the PATH is rustup's proxy, which looks for its toolchains in
 * RUSTUP_HOME, by default ~/.rustup). No credentials live there; CARGO_HOME, which may hold
 * `credentials.toml`, is not passed (cargo keeps its registry cache in the agent's HOME instead).
 */
async function toolchains(hostEnv: Env): Promise<Record<string, string>> {
  if (hostEnv.RUSTUP_HOME) return { RUSTUP_HOME: hostEnv.RUSTUP_HOME };
  if (!hostEnv.HOME) return {};
  const rustup = join(hostEnv.HOME, '.rustup');
  return (await lstat(rustup).catch(() => null))?.isDirectory() ? { RUSTUP_HOME: rustup } : {};
}

async function copyEntry(entry: HomeEntry, hostEnv: Env, home: string): Promise<void> {
  const source = homeEntrySource(entry, hostEnv);
  if (source === null) return;
  const real = await realpath(source).catch(() => null);
  if (real === null) return;
  const target = join(home, entry.path);
  await mkdir(dirname(target), { recursive: true });
  await cp(real, target, {
    recursive: true,
    filter: async (from) => !(await lstat(from)).isSymbolicLink(),
  });
}
