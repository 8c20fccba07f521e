import type { WorktreeState } from '../../runtime/integrity/port.js';
import { runGit } from './run-git.js';

/**
 * A worktree's HEAD commit and its uncommitted changes as `git status --porcelain` lines (untracked
 * files included, ignored ones not), for telling whether anything touched it between two moments.
 */
export async function worktreeState(worktree: string): Promise<WorktreeState> {
  const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: worktree,
    okExitCodes: [0, 1],
  });
  const status = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], {
    cwd: worktree,
  });
  return {
    head: head.exitCode === 0 ? head.stdout.trim() : null,
    changes: status.stdout.split('\0').filter((line) => line !== ''),
  };
}
