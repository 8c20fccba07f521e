import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { TreeFacts, WorktreeChanges } from '../../runtime/workspace/port.js';
import { runGit } from './run-git.js';

/**
 * The tree of `commit` and every file of `worktree` outside its index, ignored ones included (a
 * directory git does not track at all is one entry): two plain reads, neither runs a filter.
 */
export async function treeFacts(worktree: string, commit: string): Promise<TreeFacts> {
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) {
    throw new GitError(`Not a full commit id: ${JSON.stringify(commit)}.`);
  }
  const [tree, others] = await Promise.all([
    runGit(['rev-parse', '--verify', '--quiet', `${commit}^{tree}`], { cwd: worktree }),
    runGit(['ls-files', '-z', '--others', '--directory'], { cwd: worktree }),
  ]);
  return {
    tree: tree.stdout.trim(),
    extra: others.stdout.split('\0').filter((path) => path !== ''),
  };
}

/** Dependencies omk links into a worktree itself (and relinks): never compared as the rest. */
const NOT_LISTED = ':(exclude,glob)**/node_modules/**';

/**
 * Tracked files of `worktree` changed against its HEAD (staged or not), and every file it does not
 * track, ignored ones included (each file, not its directory; none under a `node_modules`), with a
 * stamp of its size, inode and change time: a file rewritten in place, its size kept and its
 * modification time set back, still gets a new change time, which only root can set. `git status`
 * without rename detection: a rename is a deletion and an addition.
 */
export async function worktreeChanges(worktree: string): Promise<WorktreeChanges> {
  const status = await runGit(
    [
      'status',
      '--porcelain=v1',
      '-z',
      '--untracked-files=all',
      '--ignored=traditional',
      '--no-renames',
      '--',
      '.',
      NOT_LISTED,
    ],
    { cwd: worktree },
  );
  const tracked = new Set<string>();
  const untracked = new Set<string>();
  for (const entry of status.stdout.split('\0')) {
    if (entry.length <= 3) continue;
    const code = entry.slice(0, 2);
    (code === '??' || code === '!!' ? untracked : tracked).add(entry.slice(3));
  }
  const stamped = await Promise.all(
    [...untracked].sort().map(async (path) => ({ path, stamp: await stampOf(join(worktree, path)) })),
  );
  return { tracked: [...tracked].sort(), untracked: stamped };
}

/** Size, inode and change time (`gone`: missing): a new one whenever the file is written. */
export async function stampOf(path: string): Promise<string> {
  try {
    const stat = await lstat(path, { bigint: true });
    return `${stat.size}:${stat.ino}:${stat.ctimeNs}`;
  } catch {
    return 'gone';
  }
}
