import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Directories copied aside and put back at the same paths, so that a test can start from a state
 * an earlier test built (a goal run to ready) instead of building it again. Same paths, because
 * git worktrees, goal records and forge records hold absolute paths; copies keep modes, symlinks
 * and times.
 */
export interface DirSnapshot {
  /** Replaces each directory by its copy. */
  restore(): Promise<void>;
  remove(): Promise<void>;
}

const COPY = { recursive: true, preserveTimestamps: true, verbatimSymlinks: true } as const;

export async function snapshotDirs(dirs: readonly string[]): Promise<DirSnapshot> {
  const aside = await mkdtemp(join(tmpdir(), 'omk-snapshot-'));
  await Promise.all(dirs.map((dir, index) => cp(dir, join(aside, String(index)), COPY)));
  return {
    async restore() {
      for (const [index, dir] of dirs.entries()) {
        await rm(dir, { recursive: true, force: true });
        await cp(join(aside, String(index)), dir, COPY);
      }
    },
    remove: () => rm(aside, { recursive: true, force: true }),
  };
}

/**
 * Fixtures built once per key over the same directories: the first `get` of a key builds it (the
 * builder's assertions run then) and snapshots the directories; a later `get` puts that snapshot
 * back and returns what the builder returned. The builder must leave in the directories everything
 * its value refers to.
 */
export function snapshotCache(dirs: () => readonly string[]): {
  get<T>(key: string, build: () => Promise<T>): Promise<T>;
  remove(): Promise<void>;
} {
  const built = new Map<string, { value: unknown; snapshot: DirSnapshot }>();
  return {
    async get<T>(key: string, build: () => Promise<T>): Promise<T> {
      const hit = built.get(key);
      if (hit !== undefined) {
        await hit.snapshot.restore();
        return hit.value as T;
      }
      const value = await build();
      built.set(key, { value, snapshot: await snapshotDirs(dirs()) });
      return value;
    },
    async remove() {
      await Promise.all([...built.values()].map((entry) => entry.snapshot.remove()));
      built.clear();
    },
  };
}
