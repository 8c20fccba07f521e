import { runGit } from './run-git.js';

/** The commit `ref` names in the repository, or null when it names none. */
export async function commitAt(repoRoot: string, ref: string): Promise<string | null> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Would merging `head` into `base` go without conflicts? Asked without a worktree. */
export async function mergesCleanly(repoRoot: string, base: string, head: string): Promise<boolean> {
  const result = await mergeTree(repoRoot, base, head);
  return result !== null;
}

/** The tree of `base` and `head` merged (objects written, no ref moved), or null on a conflict. */
export async function mergeTree(repoRoot: string, base: string, head: string): Promise<string | null> {
  const result = await runGit(['merge-tree', '--write-tree', '--no-messages', base, head], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}
