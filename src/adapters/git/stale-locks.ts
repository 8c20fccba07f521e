import type { Dirent } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertOwnGitDir } from './branch-checkout.js';
import { runGit } from './run-git.js';

// A git process killed mid-command (an agent timeout, a cancelled job) leaves its lock files
// behind, and every later git command in that repository then fails. Only omk's own are touched:
// the locks of the worktrees on omk/ branches and of refs/heads/omk/. The user's checkout, other
// worktrees and branches keep theirs (a commit waiting in an editor holds index.lock for minutes).

const PER_WORKTREE_LOCKS = ['index.lock', 'HEAD.lock'];
const OMK_REFS = ['refs', 'heads', 'omk'];

/** Locks older than any git command could run are leftovers; younger ones may belong to a live git. */
export async function recoverStaleLocks(
  repoRoot: string,
  maxAgeMs: number,
  now: () => number = Date.now,
): Promise<string[]> {
  const commonDir = await gitCommonDir(repoRoot);
  const candidates: string[] = [];
  for (const worktree of await entries(join(commonDir, 'worktrees'))) {
    if (!worktree.isDirectory()) continue;
    const adminDir = join(commonDir, 'worktrees', worktree.name);
    if (!(await onOmkBranch(adminDir))) continue;
    for (const name of PER_WORKTREE_LOCKS) candidates.push(join(adminDir, name));
  }
  candidates.push(...(await refLocks(join(commonDir, ...OMK_REFS))));
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

/**
 * The lock files of one omk workspace on an omk/ branch, whatever their age: its git dir's
 * index.lock and HEAD.lock, and the lock of its branch's ref. A worktree's git dir is its own
 * admin directory under the repository's; a branch checkout is a clone omk made.
 */
export async function clearWorkspaceLocks(workspace: {
  path: string;
  branch: string;
  mode: 'worktree' | 'sparse-worktree' | 'branch-checkout';
}): Promise<string[]> {
  if (!workspace.branch.startsWith('omk/')) return [];
  await assertOwnGitDir(workspace);
  const cwd = workspace.path;
  const { gitDir, commonDir } = await gitDirs(cwd);
  // A worktree that shares the repository's own git dir would be the user's main checkout.
  if (workspace.mode !== 'branch-checkout' && gitDir === commonDir) return [];
  const parts = workspace.branch.split('/');
  const candidates = [
    ...PER_WORKTREE_LOCKS.map((name) => join(gitDir, name)),
    join(commonDir, 'refs', 'heads', ...parts.slice(0, -1), `${parts.at(-1)}.lock`),
  ];
  const removed: string[] = [];
  for (const path of candidates) {
    if ((await modifiedAt(path)) === null) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed.sort();
}

/**
 * A checkout's own git dir and the shared one. One run answers both, a line each in the order
 * asked; a path holding a newline (never omk's own) is asked for alone, as it would be misread.
 */
async function gitDirs(cwd: string): Promise<{ gitDir: string; commonDir: string }> {
  const both = (await runGit(['rev-parse', '--absolute-git-dir', '--git-common-dir'], { cwd })).stdout;
  const lines = both.split('\n');
  if (lines.length === 3 && lines[2] === '') {
    return { gitDir: lines[0] ?? '', commonDir: resolve(cwd, lines[1] ?? '') };
  }
  const gitDir = (await runGit(['rev-parse', '--absolute-git-dir'], { cwd })).stdout.trim();
  return {
    gitDir,
    commonDir: resolve(cwd, (await runGit(['rev-parse', '--git-common-dir'], { cwd })).stdout.trim()),
  };
}

async function onOmkBranch(adminDir: string): Promise<boolean> {
  const head = await readFile(join(adminDir, 'HEAD'), 'utf8').catch(() => '');
  return head.trim().startsWith('ref: refs/heads/omk/');
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
