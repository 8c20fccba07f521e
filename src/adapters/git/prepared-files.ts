import { join } from 'node:path';
import type { PreparedFiles, SliceWorkspace, WorktreeStamps } from '../../runtime/workspace/port.js';
import { runGit } from './run-git.js';
import { stampOf } from './tree-facts.js';

/**
 * The worktree's files besides HEAD (tracked ones changed, added or deleted, staged or not; each
 * file it does not track, ignored ones not), each with its stamp. `git status` without rename
 * detection and without optional locks: it writes nothing, not even the index's refresh.
 */
export async function worktreeStamps(worktree: string): Promise<WorktreeStamps> {
  const status = await runGit(
    ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--ignore-submodules=all'],
    { cwd: worktree, env: { GIT_OPTIONAL_LOCKS: '0' } },
  );
  const paths = status.stdout
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
  const stamped = await Promise.all(
    [...new Set(paths)].map(async (path) => [path, await stampOf(join(worktree, path))] as const),
  );
  return Object.fromEntries(stamped);
}

/** The preparation's files that still hold what it left there (sorted). */
export async function stillPrepared(
  worktree: string,
  prepared: PreparedFiles | undefined,
): Promise<string[]> {
  const entries = Object.entries(prepared ?? {});
  const same = await Promise.all(
    entries.map(async ([path, stamp]) => ((await stampOf(join(worktree, path))) === stamp ? path : null)),
  );
  return same.filter((path): path is string => path !== null).sort();
}

/**
 * Stages everything the workspace holds for the slice's change (`git add --all`), but the
 * preparation's files that still hold what it left (`SliceWorkspace.prepared`): those stay as the
 * base has them, in the index too when an agent's own commit took them. Returns those left out.
 */
export async function stageChange(workspace: SliceWorkspace): Promise<string[]> {
  const cwd = workspace.path;
  // --sparse lets new files outside the cone in; skip-worktree entries missing from disk are still
  // left alone, so the cone never turns into a mass deletion.
  const sparse = workspace.mode === 'sparse-worktree' ? ['--sparse'] : [];
  const left = await stillPrepared(cwd, workspace.prepared);
  if (left.length === 0) {
    await runGit(['add', '--all', ...sparse], { cwd });
    return [];
  }
  const fromStdin = ['--pathspec-from-file=-', '--pathspec-file-nul'];
  const excluded = left.map((path) => `:(exclude,literal)${path}`);
  await runGit(['add', '--all', ...sparse, ...fromStdin], { cwd, input: ['.', ...excluded].join('\0') });
  const literal = left.map((path) => `:(literal)${path}`).join('\0');
  await runGit(['reset', '--quiet', workspace.baseSha, ...fromStdin], { cwd, input: literal });
  return left;
}

/** A `git clean -e` pattern that matches `path` alone (anchored, its wildcards escaped). */
export function exactPattern(path: string): string {
  return `/${path.replace(/[\\*?[]/g, '\\$&').replace(/ $/, '\\ ')}`;
}
