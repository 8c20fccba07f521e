import { sep } from 'node:path';
import { runGit } from './run-git.js';
import { canonicalPath, listWorktrees } from './worktree.js';

/** The namespaces omk writes refs in: its branches (omk/...) and its own refs (the state tracking ref). */
const OMK_REF_NAMESPACES = ['refs/heads/omk/', 'refs/omk/'] as const;

/** Every ref in omk's namespaces, by full name (refs/heads/omk/…, refs/omk/…). */
export async function listOmkRefs(repoRoot: string): Promise<string[]> {
  const { stdout } = await runGit(['for-each-ref', '--format=%(refname)', ...OMK_REF_NAMESPACES], {
    cwd: repoRoot,
  });
  return stdout.split('\n').filter((ref) => ref !== '');
}

/**
 * Removes every worktree of the repository that sits under `dir` (omk's worktree root of one
 * job, which nothing else writes in), then prunes the metadata of worktrees already gone.
 */
export async function removeWorktreesUnder(repoRoot: string, dir: string): Promise<string[]> {
  const folder = `${await canonicalPath(dir)}${sep}`;
  const removed: string[] = [];
  for (const entry of await listWorktrees(repoRoot)) {
    if (!entry.path.startsWith(folder)) continue;
    await runGit(['worktree', 'remove', '--force', '--', entry.path], { cwd: repoRoot });
    removed.push(entry.path);
  }
  await runGit(['worktree', 'prune'], { cwd: repoRoot });
  return removed;
}

/**
 * Deletes refs by full name: a branch through `git branch -D`, which refuses one that a worktree
 * has checked out (that one is kept and returned as such), any other ref through `update-ref -d`.
 */
export async function tryDeleteRefs(
  repoRoot: string,
  refs: readonly string[],
): Promise<{ deleted: string[]; kept: string[] }> {
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const ref of refs) {
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
    const args = branch === null ? ['update-ref', '-d', ref] : ['branch', '--quiet', '-D', '--', branch];
    const result = await runGit(args, { cwd: repoRoot, okExitCodes: [0, 1] });
    (result.exitCode === 0 ? deleted : kept).push(ref);
  }
  return { deleted, kept };
}
