import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isPidAlive } from '../process/host.js';

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
  /** Removes the temp and its owner marker (the end of the run). */
  remove(): Promise<void>;
}

/** Beside each temp, `<name>.owner` holds the pid of the omk process that made it. */
const OWNER_SUFFIX = '.owner';

/** `prefix` names the directory (`run-` for a sandbox's temp, `home-` for an agent's HOME). */
export async function makePrivateTemp(env: Env, prefix = 'run-'): Promise<PrivateTemp> {
  const name = `omk-sandboxes-${process.getuid?.() ?? 'user'}`;
  const parent = await ownDirectory(join(env.TMPDIR || '/tmp', name));
  // What a killed omk left (an agent's HOME with its copied logins, a sandbox's temp) goes first.
  await sweepStale(parent);
  const path = await mkdtemp(join(parent, prefix));
  const owner = `${path}${OWNER_SUFFIX}`;
  // Written whole under another name, then renamed: another omk's sweep never reads it half-written.
  await writeFile(`${path}.writing`, `${process.pid}\n`, { mode: 0o600 });
  await rename(`${path}.writing`, owner);
  const hidden = new Set([parent]);
  const shared = join('/tmp', name);
  // Another run's, where this run's TMPDIR is not /tmp: hidden when it exists.
  if (shared !== join(env.TMPDIR || '/tmp', name)) {
    const other = await realpath(shared).catch(() => null);
    if (other !== null) hidden.add(other);
  }
  return {
    path,
    hidden: [...hidden],
    remove: async () => {
      await rm(path, { recursive: true, force: true });
      await rm(owner, { force: true });
    },
  };
}

/** How old a marker that names no pid must be before its temp counts as abandoned. */
const UNREADABLE_MARKER_MS = 10 * 60_000;

/**
 * Removes the temps in `parent` whose owner is gone: the pid in its marker runs no process. A temp
 * whose owner still runs is kept (another omk's run, or a pid reused since, which only delays the
 * sweep); one without a marker is left alone (made by an omk before markers, or one that is
 * writing its marker right now), and so is one whose marker names no pid until it is old: an omk
 * before markers were renamed into place wrote them in two steps, and a sweep reading one between
 * them took a live run's temp away (its gates then failed: `creating work dir: … no such file`).
 */
export async function sweepStale(parent: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith(OWNER_SUFFIX)) continue;
    const marker = join(parent, name);
    const pid = Number.parseInt((await readFile(marker, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && isPidAlive(pid)) continue;
    if (!(Number.isInteger(pid) && pid > 0)) {
      const written = await stat(marker).then(
        (found) => found.mtimeMs,
        () => null,
      );
      if (written !== null && now - written < UNREADABLE_MARKER_MS) continue;
    }
    const temp = join(parent, name.slice(0, -OWNER_SUFFIX.length));
    if (dirname(temp) !== parent || basename(temp) === '') continue;
    await rm(temp, { recursive: true, force: true });
    await rm(marker, { force: true });
    removed.push(temp);
  }
  return removed;
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
