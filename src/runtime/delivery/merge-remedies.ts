import type { Hint } from '../next-steps.js';
import type { MergeBlocker } from './merge-decision.js';

/** What blocks a merge besides the gated decision's blockers: the forge's answer, or omk's own check. */
export type MergeRefusal =
  | MergeBlocker
  | 'head_moved'
  | 'not_mergeable'
  | 'merged_outside_omk'
  | 'state_tampered';

/**
 * What a person does about each blocker of a refused merge (docs/github.md § Gated merge, "What to
 * do"), so a refused `omk goal merge` says it instead of leaving the reader at a dead end. Every
 * blocker has one: the Record makes a new blocker without one a compile error. A remedy that is a
 * command on the goal is a step, which each front door spells as its own command.
 */
const REMEDIES: Record<MergeRefusal, string | ((goalId: string) => Hint)> = {
  policy:
    "the merge policy is set when a goal is created: start a new goal whose merge policy is manual or gated, or merge the goal's integration branch yourself",
  not_open: 'reopen the PR, or start a new goal',
  proof_edited: 'deliver the goal again (open its PRs again): omk rebuilds proof.json from the evidence',
  proof_not_ready: (goalId) => [
    "read the proof's gaps (",
    { step: 'proof', goalId },
    '): only a ready proof is merged, or one blocked only on gaps a person closes by accepting the goal (',
    { step: 'accept', goalId },
    '), once they have',
  ],
  stale_proof:
    'the integration branch or the base moved since the proof: put the branch back, or start a new goal from the current base',
  proof_check:
    'deliver the goal again (open its PRs again) to publish the omk/proof check run; with a GitHub App token, set OMK_CHECK_APP_ID',
  draft:
    "open the goal's PRs again with the auto-pr delivery policy: that marks its draft PRs ready for review, on GitHub and on the local forge; on GitHub you can also mark the PR ready yourself",
  conflict: 'start a new goal from the current base',
  mergeability_unknown: 'GitHub has not computed it yet: merge again in a moment',
  checks_failed: 'fix the failing check, or re-run that CI, then merge again',
  checks_pending: 'wait for CI, then merge again',
  no_checks:
    "let CI run on the head, make the base's branch protection readable, or set merge.requireChecks: none in .omk/config.yml where there is no CI",
  review_required: 'get an approving review, then merge again',
  changes_requested: 'address the requested changes; a new approval from that reviewer clears them',
  unprotected_base:
    'protect the base branch, give the token Administration: read, or merge without requiring protection',
  head_moved: 'the head changed while omk merged it: merge again',
  not_mergeable:
    'fix what the reason names (on the local forge: commit or stash the changes in the checked-out base branch), then merge again',
  merged_outside_omk:
    'the PR was merged outside omk, so this goal records no merge; nothing is left to merge',
  state_tampered: "the goal's state changed under the merge: read its status, then merge again",
};

/** The remedy of each distinct blocker of `goalId`'s merge, in the order given; unknown blockers have none. */
export function mergeRemedies(
  blockers: readonly string[],
  goalId: string,
): { blocker: string; remedy: Hint }[] {
  const known = (blocker: string): blocker is MergeRefusal => Object.hasOwn(REMEDIES, blocker);
  return [...new Set(blockers)].filter(known).map((blocker) => {
    const remedy = REMEDIES[blocker];
    return { blocker, remedy: typeof remedy === 'string' ? [remedy] : remedy(goalId) };
  });
}
