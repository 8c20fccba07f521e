import { runGit } from './run-git.js';

/** The commit and branch a worktree is on, or null (detached, unborn, gone). */
export async function worktreeBranchHead(worktree: string): Promise<{ sha: string; branch: string } | null> {
  const result = await runGit(['rev-parse', 'HEAD^{commit}', '--symbolic-full-name', 'HEAD'], {
    cwd: worktree,
  }).catch(() => null);
  const [sha = '', ref = ''] = result?.stdout.trim().split('\n') ?? [];
  return sha !== '' && ref.startsWith('refs/heads/')
    ? { sha, branch: ref.slice('refs/heads/'.length) }
    : null;
}

/** Every branch under `prefix` (`omk/<goal>/`) and its commit, loose or packed. */
export async function branchHeads(repoRoot: string, prefix: string): Promise<Map<string, string>> {
  const listed = await runGit(['for-each-ref', '--format=%(refname) %(objectname)', `refs/heads/${prefix}`], {
    cwd: repoRoot,
  });
  const heads = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) heads.set(line.slice('refs/heads/'.length, space), line.slice(space + 1));
  }
  return heads;
}

/** Puts `branch` back at `sha`; false when git refused. */
export async function putBranchBack(repoRoot: string, branch: string, sha: string): Promise<boolean> {
  return runGit(['update-ref', `refs/heads/${branch}`, sha], { cwd: repoRoot }).then(
    () => true,
    () => false,
  );
}
