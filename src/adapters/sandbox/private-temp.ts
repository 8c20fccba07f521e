import { lstat, mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every confined run's private temp lives in one directory of the user's (`omk-sandboxes-<uid>`
 * under `TMPDIR`, and under `/tmp` for runs started with another `TMPDIR`), which every sandbox
 * hides and then binds only its own temp back into. So no confined process sees another run's
 * temp, and above all not its `network: allow` proxy socket: a unix socket on a read-only mount
 * still accepts connections, and a process in a network namespace of its own (`none`) would reach
 * the other run's allowed hosts through it.
 */
export interface PrivateTemp {
  /** This run's temp, writable inside its sandbox. */
  path: string;
  /** The parents to hide in the sandbox (the one `path` is in among them). */
  hidden: string[];
}

/** `prefix` names the directory (`run-` for a sandbox's temp, `home-` for an agent's HOME). */
export async function makePrivateTemp(env: Env, prefix = 'run-'): Promise<PrivateTemp> {
  const name = `omk-sandboxes-${process.getuid?.() ?? 'user'}`;
  const parent = await ownDirectory(join(env.TMPDIR || '/tmp', name));
  const path = await mkdtemp(join(parent, prefix));
  const hidden = new Set([parent]);
  const shared = join('/tmp', name);
  // Another run's, where this run's TMPDIR is not /tmp: hidden when it exists.
  if (shared !== join(env.TMPDIR || '/tmp', name)) {
    const other = await realpath(shared).catch(() => null);
    if (other !== null) hidden.add(other);
  }
  return { path, hidden: [...hidden] };
}

/** The directory, created 0700, refused unless it is a directory of this user (not a link). */
async function ownDirectory(path: string): Promise<string> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const stat = await lstat(path);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new Error(
      `${path} is not a directory of this user: remove it, or set TMPDIR to a directory of your own`,
    );
  }
  return realpath(path);
}
