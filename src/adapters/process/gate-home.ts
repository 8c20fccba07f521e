import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { agentHomeEnv } from '../../runtime/agents/home.js';
import { TOOLCHAIN_DIRS } from '../../runtime/gates/toolchain-caches.js';
import type { ProcessRunner, ProcessSpec } from '../../runtime/ports.js';
import { makePrivateTemp } from '../sandbox/private-temp.js';

/**
 * The variables that keep the user's toolchains and caches (`TOOLCHAIN_DIRS`) found from a HOME
 * of a run's own. A variable the user set is kept as it is; a directory the user does not have is
 * not named. Config files elsewhere in HOME (`~/.gitconfig`, `~/.npmrc`, `~/.bashrc`,
 * `~/.config`) are out of reach.
 */
export async function toolchainEnv(env: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const home = env.HOME;
  if (home === undefined || home === '') return {};
  const found: Record<string, string> = {};
  for (const { name, under } of TOOLCHAIN_DIRS) {
    if (env[name] !== undefined) continue;
    const path = join(home, under);
    if ((await lstat(path).catch(() => null))?.isDirectory()) found[name] = path;
  }
  return found;
}

/**
 * Runs each spec that asks for it (`ownHome`: gates) with a fresh HOME in the user's private temp
 * (0700, removed after the run; one a killed omk left is swept as an agent's is), so what the
 * agent's code writes to `~/.gitconfig`, `~/.npmrc` or a shell profile lands there, not in the
 * user's HOME. Confined, that HOME is the run's to write.
 */
export function withOwnHome(inner: ProcessRunner): ProcessRunner {
  return async (spec) => {
    if (spec.ownHome !== true) return inner(spec);
    const temp = await makePrivateTemp(spec.env, 'gate-home-');
    try {
      return await inner(await homed(spec, temp.path));
    } finally {
      await temp.remove();
    }
  };
}

async function homed(spec: ProcessSpec, home: string): Promise<ProcessSpec> {
  const { ownHome: _, ...rest } = spec;
  return {
    ...rest,
    env: {
      ...spec.env,
      ...agentHomeEnv(home),
      // The user's own cache directory, where they moved it, stays the caches' place.
      ...(spec.env.XDG_CACHE_HOME === undefined ? {} : { XDG_CACHE_HOME: spec.env.XDG_CACHE_HOME }),
      ...(await toolchainEnv(spec.env)),
    },
    ...(spec.confine === undefined
      ? {}
      : { confine: { ...spec.confine, writable: [...spec.confine.writable, home] } }),
  };
}
