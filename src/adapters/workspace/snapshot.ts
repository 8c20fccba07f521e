import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cloneTree, treeDigest } from './copy-tree.js';

/** omk's own copy of a checkout's node_modules, which worktrees hard-link to. */
export interface Snapshot {
  tree: string;
  /** False when an earlier worktree's snapshot was still intact and was used as it is. */
  made: boolean;
}

/** How many snapshots of one checkout are kept (other lockfiles, other branches), newest first. */
const KEEP_PER_CHECKOUT = 3;

/**
 * Snapshots under the state root's shared cache, one per checkout and manifests, made by copying
 * (never linking) the checkout's node_modules, so the user's files are never shared with a
 * worktree. Worktrees of every goal share the snapshot's files through hard links, which is ten
 * times faster than copying. A snapshot is used only while both digests taken when it was made
 * still hold: the checkout's node_modules (a reinstall or an edit there makes a new copy; checked
 * once per `scope`, the goal, in this process) and the snapshot's own (a file written in place
 * through a worktree's link changes it, and the next worktree gets a fresh copy).
 */
export function createSnapshots() {
  const queue = new Map<string, Promise<unknown>>();
  const sourceChecked = new Set<string>();
  return {
    /** The intact snapshot of `source` at `dir`, made (again) when missing, stale or written to. */
    ensure(source: string, dir: string, scope: string): Promise<Snapshot> {
      // One at a time per snapshot in this process: a wave's slices would otherwise all make it.
      const key = `${scope}\0${dir}`;
      const next = (queue.get(dir) ?? Promise.resolve())
        .catch(() => {})
        .then(() => ensure(source, dir, sourceChecked.has(key)))
        .then((snapshot) => {
          sourceChecked.add(key);
          return snapshot;
        });
      queue.set(dir, next);
      return next;
    },
  };
}

async function ensure(source: string, dir: string, sourceChecked: boolean): Promise<Snapshot> {
  const tree = join(dir, 'node_modules');
  const stampPath = join(dir, 'digest');
  const sourceStampPath = join(dir, 'source-digest');
  const [stamp, sourceStamp] = await Promise.all([readOrNull(stampPath), readOrNull(sourceStampPath)]);
  if (stamp !== null && sourceStamp !== null) {
    const [now, sourceNow] = await Promise.all([
      treeDigest(tree).catch(() => null),
      sourceChecked ? sourceStamp : treeDigest(source).catch(() => null),
    ]);
    if (stamp === now && sourceStamp === sourceNow) return { tree, made: false };
  }
  if (await exists(dir)) await setAside(dir);
  // Taken before the copy: a checkout changed while it is copied never matches it afterwards.
  const sourceDigest = await treeDigest(source);
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await cloneTree(source, join(partial, 'node_modules'), 'copy', tree);
  await writeFile(join(partial, 'source-digest'), sourceDigest);
  // The snapshot's digest last: a snapshot without one is made again.
  await writeFile(join(partial, 'digest'), await treeDigest(join(partial, 'node_modules')));
  await mkdir(dirname(dir), { recursive: true });
  try {
    await rename(partial, dir);
  } catch (error) {
    // Another omk process made it meanwhile: theirs is as good.
    if (!(await exists(stampPath))) throw error;
    await rm(partial, { recursive: true, force: true });
  }
  await pruneSiblings(dir);
  return { tree, made: true };
}

/**
 * Stale, half made, or written to through a worktree's link: renamed away (worktrees linked to it
 * keep their files), and removed in the background.
 */
async function setAside(dir: string): Promise<void> {
  const stale = `${dir}.stale-${process.pid}-${Date.now()}`;
  await rename(dir, stale).catch((error: NodeJS.ErrnoException) => {
    // Another omk process set it aside first.
    if (error.code !== 'ENOENT') throw error;
  });
  void rm(stale, { recursive: true, force: true }).catch(() => {});
}

/** Keeps the checkout's newest snapshots (by when they were made); older ones are set aside. */
async function pruneSiblings(dir: string): Promise<void> {
  const parent = dirname(dir);
  const names = (await readdir(parent)).filter((name) => !name.includes('.'));
  const made = await Promise.all(
    names.map(async (name) => ({
      path: join(parent, name),
      at: (await stat(join(parent, name, 'digest')).catch(() => null))?.mtimeMs ?? null,
    })),
  );
  const old = made
    .filter((entry) => entry.at !== null && basename(entry.path) !== basename(dir))
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))
    .slice(KEEP_PER_CHECKOUT - 1);
  await Promise.all(old.map((entry) => setAside(entry.path)));
}

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
