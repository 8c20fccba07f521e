import { goalBranchPrefix, parseOmkBranch } from '../../runtime/graph/branches.js';
import type { IntegrityChange } from '../../runtime/integrity/port.js';
import { branchHeads, putBranchBack, worktreeBranchHead } from '../git/goal-refs.js';
import { ownRunStarted, repositoryOf, settledOwnHeads } from '../git/own-heads.js';

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
  const at = await worktreeBranchHead(worktree);
  const parsed = at === null ? null : parseOmkBranch(at.branch);
  if (at === null || parsed === null) return { check: async () => [] };
  const repository = repositoryOf(repoRoot);
  const run = ownRunStarted(repository, at.branch);
  const prefix = goalBranchPrefix(parsed.goalId);
  return {
    async check() {
      try {
        const settled = settledOwnHeads(repository, prefix);
        if (settled.size === 0) return [];
        const now = await branchHeads(repoRoot, prefix);
        const changes: IntegrityChange[] = [];
        for (const [branch, head] of settled) {
          const current = now.get(branch);
          if (current === head) continue;
          const restored = await putBranchBack(repoRoot, branch, head);
          changes.push({
            what: `omk's branch ${branch}`,
            change: current === undefined ? 'removed' : 'changed',
            restored,
          });
        }
        return changes;
      } finally {
        const after = await worktreeBranchHead(worktree);
        run.end(after?.sha !== at.sha);
      }
    },
  };
}
