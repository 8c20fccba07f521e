import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cloneTree, treeDigest } from './copy-tree.js';

/** omk's own copy of a checkout's node_modules, which worktrees hard-link to. */
export interface Snapshot {
  tree: string;
  /** False when an earlier worktree's snapshot was still intact and was used as it is. */
  made: boolean;
}

/**
 * Snapshots under a goal's cache directory, made by copying (never linking) the checkout's
 * node_modules, so the user's files are never shared with a worktree. Worktrees share the
 * snapshot's files through hard links, which is ten times faster than copying; a file written in
 * place through one of them changes the snapshot, which the digest taken when it was made shows,
 * and the next worktree gets a fresh snapshot instead.
 */
export function createSnapshots() {
  const queue = new Map<string, Promise<unknown>>();
  return {
    /** The intact snapshot of `source` at `dir`, made (again) when missing or written to. */
    ensure(source: string, dir: string): Promise<Snapshot> {
      // One at a time per snapshot in this process: a wave's slices would otherwise all make it.
      const next = (queue.get(dir) ?? Promise.resolve()).catch(() => {}).then(() => ensure(source, dir));
      queue.set(dir, next);
      return next;
    },
  };
}

async function ensure(source: string, dir: string): Promise<Snapshot> {
  const tree = join(dir, 'node_modules');
  const stampPath = join(dir, 'digest');
  const stamp = await readFile(stampPath, 'utf8').catch(() => null);
  if (stamp !== null && stamp === (await treeDigest(tree).catch(() => null))) return { tree, made: false };
  if (await exists(dir)) {
    // Half made, or written to through a worktree's link: set aside (worktrees linked to it keep
    // their files), and removed in the background.
    const stale = `${dir}.stale-${process.pid}-${Date.now()}`;
    await rename(dir, stale);
    void rm(stale, { recursive: true, force: true }).catch(() => {});
  }
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await cloneTree(source, join(partial, 'node_modules'), 'copy', tree);
  // The digest last: a snapshot without one is made again.
  await writeFile(join(partial, 'digest'), await treeDigest(join(partial, 'node_modules')));
  await mkdir(dirname(dir), { recursive: true });
  try {
    await rename(partial, dir);
  } catch (error) {
    // Another omk process made it meanwhile: theirs is as good.
    if (!(await exists(stampPath))) throw error;
    await rm(partial, { recursive: true, force: true });
  }
  return { tree, made: true };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
