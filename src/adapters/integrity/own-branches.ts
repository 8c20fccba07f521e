import { goalBranchPrefix, parseOmkBranch } from '../../runtime/graph/branches.js';
import type { IntegrityChange } from '../../runtime/integrity/port.js';
import { ownRunStarted, settledOwnHeads } from '../git/own-heads.js';
import { runGit } from '../git/run-git.js';

/** What a run's watch keeps of its goal's branches: compared and restored at its check. */
export interface OwnBranchesWatch {
  check(): Promise<IntegrityChange[]>;
}

/**
 * Watches the branches of the goal whose worktree `worktree` is (`omk/<goal>/…`): at the check,
 * each one omk recorded where it left it (own-heads.ts) and is not moving now must still be there;
 * one that moved is put back and reported. The run's own branch is not compared (its agent
 * commits there; omk captures it next). A worktree on no omk branch watches nothing.
 */
export async function watchOwnBranches(repoRoot: string, worktree: string): Promise<OwnBranchesWatch> {
  const at = await headOf(worktree);
  const parsed = at === null ? null : parseOmkBranch(at.branch);
  if (at === null || parsed === null) return { check: async () => [] };
  const run = ownRunStarted(at.branch);
  const prefix = goalBranchPrefix(parsed.goalId);
  return {
    async check() {
      try {
        const settled = settledOwnHeads(prefix);
        if (settled.size === 0) return [];
        const now = await branchHeads(repoRoot, prefix);
        const changes: IntegrityChange[] = [];
        for (const [branch, head] of settled) {
          const current = now.get(branch);
          if (current === head) continue;
          const restored = await runGit(['update-ref', `refs/heads/${branch}`, head], { cwd: repoRoot }).then(
            () => true,
            () => false,
          );
          changes.push({
            what: `omk's branch ${branch}`,
            change: current === undefined ? 'removed' : 'changed',
            restored,
          });
        }
        return changes;
      } finally {
        const after = await headOf(worktree);
        run.end(after?.sha !== at.sha);
      }
    },
  };
}

/** The commit and branch a worktree is on, or null (detached, unborn, gone). */
async function headOf(worktree: string): Promise<{ sha: string; branch: string } | null> {
  const result = await runGit(['rev-parse', 'HEAD^{commit}', '--symbolic-full-name', 'HEAD'], {
    cwd: worktree,
  }).catch(() => null);
  const [sha = '', ref = ''] = result?.stdout.trim().split('\n') ?? [];
  return sha !== '' && ref.startsWith('refs/heads/')
    ? { sha, branch: ref.slice('refs/heads/'.length) }
    : null;
}

/** Every branch under `prefix` (`omk/<goal>/`) and its commit. */
async function branchHeads(repoRoot: string, prefix: string): Promise<Map<string, string>> {
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
