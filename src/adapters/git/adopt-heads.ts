// A controller that takes a goal tells where the goal's record says omk captured its finished
// slices' branches (execution.json's head of each slice, which the integration compares too), and
// where it last left its integration branch (`integrationHead`): a new process has moved none of
// them yet, so own-heads.ts knows nothing of them until then.

import { GitError } from '../../runtime/errors.js';
import { goalBranchPrefix } from '../../runtime/graph/branches.js';
import type { MovedBranch } from '../../runtime/workspace/port.js';
import { branchHeads, putBranchBack } from './goal-refs.js';
import { adoptOwnHeads, repositoryOf } from './own-heads.js';
import { assertOmkBranch } from './refs.js';

/** A whole commit id (SHA-1 or SHA-256), as omk records a capture's. */
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Compares each branch with the commit the record names and puts back one found elsewhere (moved
 * or removed since the process that captured it: nothing omk checked saw it move), then records
 * them all as where omk left them, so every run's integrity check compares them from now on.
 */
export async function adoptRecordedHeads(
  repoRoot: string,
  goalId: string,
  heads: Readonly<Record<string, string>>,
): Promise<MovedBranch[]> {
  const adopted = new Map<string, string>();
  for (const [branch, head] of Object.entries(heads)) {
    assertOmkBranch(branch, goalId);
    if (!FULL_SHA.test(head)) {
      throw new GitError(
        `The goal's record holds ${JSON.stringify(head)} as the commit omk captured ${branch} at: not a commit id.`,
        { hint: "Something other than omk wrote the goal's execution.json: look at it before resuming." },
      );
    }
    adopted.set(branch, head);
  }
  const prefix = goalBranchPrefix(goalId);
  const now = adopted.size === 0 ? new Map<string, string>() : await branchHeads(repoRoot, prefix);
  const moved: MovedBranch[] = [];
  for (const [branch, recorded] of adopted) {
    const found = now.get(branch) ?? null;
    if (found === recorded) continue;
    moved.push({ branch, recorded, found, restored: await putBranchBack(repoRoot, branch, recorded) });
  }
  adoptOwnHeads(repositoryOf(repoRoot), prefix, adopted);
  return moved;
}
