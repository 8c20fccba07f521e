import { GitError } from '../../runtime/errors.js';
import type { TreeFacts } from '../../runtime/workspace/port.js';
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
