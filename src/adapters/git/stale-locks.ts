import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runGit } from './run-git.js';

// A git process killed mid-command (an agent timeout, a cancelled job) leaves its lock files
// behind, and every later git command in that repository then fails. Locks older than any git
// command could run are leftovers; younger ones may belong to a live git and are left alone.

const TOP_LEVEL_LOCKS = ['index.lock', 'HEAD.lock', 'config.lock', 'packed-refs.lock'];
const PER_WORKTREE_LOCKS = ['index.lock', 'HEAD.lock'];

export async function recoverStaleLocks(
  repoRoot: string,
  maxAgeMs: number,
  now: () => number = Date.now,
): Promise<string[]> {
  const commonDir = await gitCommonDir(repoRoot);
  const candidates = TOP_LEVEL_LOCKS.map((name) => join(commonDir, name));
  for (const worktree of await entries(join(commonDir, 'worktrees'))) {
    if (!worktree.isDirectory()) continue;
    for (const name of PER_WORKTREE_LOCKS) candidates.push(join(commonDir, 'worktrees', worktree.name, name));
  }
  candidates.push(...(await refLocks(join(commonDir, 'refs'))));
  const removed: string[] = [];
  const cutoff = now() - maxAgeMs;
  for (const path of candidates) {
    const mtime = await modifiedAt(path);
    if (mtime === null || mtime > cutoff) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed.sort();
}

/** The repository's shared git directory (the main checkout's .git, whichever worktree asks). */
export async function gitCommonDir(repoRoot: string): Promise<string> {
  const { stdout } = await runGit(['rev-parse', '--git-common-dir'], { cwd: repoRoot });
  return resolve(repoRoot, stdout.trim());
}

async function refLocks(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await entries(dir)) {
    const path = join(dir, entry.name);
    // Dirent types come from lstat, so a symlinked directory is never followed out of .git.
    if (entry.isDirectory()) found.push(...(await refLocks(path)));
    else if (entry.isFile() && entry.name.endsWith('.lock')) found.push(path);
  }
  return found;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function modifiedAt(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.mtimeMs : null;
  } catch {
    return null;
  }
}
