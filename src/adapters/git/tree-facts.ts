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

/**
 * Tracked files of `worktree` changed against its HEAD (staged or not) and untracked files git does
 * not ignore, each by path (`git status`, no rename detection: a rename is a deletion and an
 * addition; a directory's files each listed).
 */
export async function worktreeChanges(worktree: string): Promise<WorktreeChanges> {
  const status = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], {
    cwd: worktree,
  });
  const tracked = new Set<string>();
  const untracked = new Set<string>();
  for (const entry of status.stdout.split('\0')) {
    if (entry.length <= 3) continue;
    (entry.startsWith('??') ? untracked : tracked).add(entry.slice(3));
  }
  return { tracked: [...tracked].sort(), untracked: [...untracked].sort() };
}
