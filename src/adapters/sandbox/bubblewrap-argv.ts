import { join } from 'node:path';
import { CREDENTIAL_STORES } from '../../runtime/agents/home.js';
import type { SandboxNetwork } from '../../runtime/sandbox/port.js';

/**
 * Where a confined process may go, as paths of this machine. Everything not named here is
 * visible read-only (the tools, the project's dependencies, the agent CLI's own files).
 */
export interface BubblewrapPlan {
  /** Writable: the working directory, the private temp, the goal's build cache, a report file. */
  writable: readonly string[];
  /**
   * Visible read-only again inside a hidden directory (the goal directory under $RUNNER_TEMP), or
   * read-only inside a writable one (a branch checkout's own `.git`): mounted after its parent.
   */
  readable: readonly string[];
  /** Directories replaced by an empty tmpfs (credential stores, the runner's temp). */
  hiddenDirs: readonly string[];
  /** Files replaced by an empty, unreadable one (`~/.netrc`, `~/.git-credentials`). */
  hiddenFiles: readonly string[];
  cwd: string;
  /** `none`: a network namespace of its own, with only a loopback interface. */
  network: SandboxNetwork;
}

/**
 * The namespaces: a new pid namespace ends every process the command started when it ends (a
 * `setsid` child included, which a process-group kill misses); `--die-with-parent` ends it when
 * omk kills the group; `--new-session` keeps it off omk's terminal. The network is shared when
 * it is `open` (an agent talks to its model's API); under `none` the command gets a network
 * namespace of its own, where bwrap brings up only a loopback interface: nothing outside, not
 * even the host's loopback (a server on the host's 127.0.0.1), is reachable.
 */
function namespaces(network: SandboxNetwork): string[] {
  return [
    '--unshare-all',
    ...(network === 'open' ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
  ];
}

const ROOT = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];

/** The same options the availability probe runs `true` with: the host's network shared. */
export const PROBE_ARGS: readonly string[] = [...ROOT, ...namespaces('open')];

/** The options the network probe runs `true` with: a network of its own. */
export const NETWORK_PROBE_ARGS: readonly string[] = [...ROOT, ...namespaces('none')];

/**
 * bwrap's argv for one command: the root read-only, then hidden stores, what must be seen again
 * and what may be written, mounted in that order of kind within each depth. `asInit`: the command
 * is the sandbox's init (sandbox-init.ts), its pid 1 (`--as-pid-1`): it reaps the namespace's
 * orphans, and no process inside can kill it.
 */
export function bubblewrapArgv(
  tool: string,
  plan: BubblewrapPlan,
  argv: readonly string[],
  asInit = false,
): string[] {
  const mounts = [
    ...plan.hiddenDirs.map((path) => ({ path, args: ['--tmpfs', path] })),
    ...plan.hiddenFiles.map((path) => ({ path, args: ['--ro-bind', '/dev/null', path] })),
    ...plan.readable.map((path) => ({ path, args: ['--ro-bind', path, path] })),
    ...plan.writable.map((path) => ({ path, args: ['--bind', path, path] })),
  ];
  // Parents first, so a store hidden under the runner's temp stays hidden and a worktree under a
  // hidden directory is seen again; at equal depth the later kind wins (sort is stable).
  const seen = new Set<string>();
  const ordered = mounts
    .map((mount, index) => ({ ...mount, index }))
    .sort((a, b) => depth(a.path) - depth(b.path) || a.index - b.index);
  const out = [tool, ...ROOT, ...namespaces(plan.network)];
  for (const mount of ordered) {
    const key = mount.args.join('\0');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(...mount.args);
  }
  if (asInit) out.push('--as-pid-1');
  out.push('--chdir', plan.cwd, '--', ...argv);
  return out;
}

/**
 * The credential stores under a HOME that no agent or gate needs to read (the runtime's list, which
 * also refuses them as an agent's `home` entry): hidden in the sandbox.
 */
export function credentialStores(home: string): { dirs: string[]; files: string[] } {
  return {
    dirs: CREDENTIAL_STORES.dirs.map((p) => join(home, p)),
    files: CREDENTIAL_STORES.files.map((p) => join(home, p)),
  };
}

function depth(path: string): number {
  return path.split('/').filter((part) => part !== '').length;
}
