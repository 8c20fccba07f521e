import type { RequireChecks } from '../config/schema.js';
import type { BranchProtection, CheckState, PullRequest, ReviewSummary } from '../forge/port.js';
import type { MergePolicy } from '../goal/schema.js';
import { ACCEPTABLE_GAPS } from '../proof/build.js';
import { checkFreshness } from '../proof/fresh.js';
import type { Proof } from '../proof/schema.js';

export const MERGE_BLOCKERS = [
  'policy',
  'not_open',
  'proof_not_ready',
  'proof_edited',
  'stale_proof',
  'proof_check',
  'draft',
  'conflict',
  'mergeability_unknown',
  'checks_failed',
  'checks_pending',
  'no_checks',
  'review_required',
  'changes_requested',
  'unprotected_base',
] as const;
export type MergeBlocker = (typeof MERGE_BLOCKERS)[number];

export interface MergeInput {
  policy: MergePolicy;
  proof: Proof;
  /** False when the proof's digest does not match its content. */
  proofDigestValid: boolean;
  /** Why the proof cannot be trusted beyond its digest (proofIntegrityProblems); none when it can. */
  proofProblems?: readonly string[];
  /** Why the omk/proof check run on the head does not vouch for the proof (proofCheckProblems). */
  proofCheckProblems?: readonly string[];
  pr: PullRequest;
  checks: readonly CheckState[];
  /** What CI must have reported besides omk/proof (`merge.requireChecks`); default `none`. */
  requireChecks?: RequireChecks;
  /** null: unprotected, or protection could not be read. */
  protection: BranchProtection | null;
  reviews: ReviewSummary;
  /** Refuse to merge into a base branch without protection. */
  enforceProtection: boolean;
}

export type MergeDecision =
  | { merge: true; sha: string }
  | { merge: false; blockedBy: MergeBlocker; reasons: { blocker: MergeBlocker; detail: string }[] };

/**
 * A proof blocked on a person only for what a person's reading answers (gate definitions the goal
 * was created to change, agents that ran unconfined where the sandbox fell back): nothing else is
 * missing (no failure, no other gap). Its PRs are opened for that person to read.
 */
export function awaitsReview(proof: Proof): boolean {
  return (
    proof.status === 'blocked_on_human' &&
    proof.failures.length === 0 &&
    proof.knownGaps.length > 0 &&
    proof.knownGaps.every((gap) => ACCEPTABLE_GAPS.includes(gap.code))
  );
}

/**
 * A proof that waited only for a person's review (`awaitsReview`), which a person then accepted:
 * the acceptance is the review it waited for. Any other gap still blocks, accepted or not.
 */
export function acceptedReview(proof: Proof): boolean {
  return awaitsReview(proof) && proof.delivery.acceptance !== null;
}

/** The check omk itself publishes; it mirrors the proof, which is judged directly. */
export const PROOF_CHECK = 'omk/proof';

/**
 * Gated merge: every condition must hold, and every unmet one is reported. The merge is pinned to
 * the head SHA evaluated here, so a push after this decision makes the merge fail safely.
 */
export function decideMerge(input: MergeInput): MergeDecision {
  const { proof, pr } = input;
  const reasons: { blocker: MergeBlocker; detail: string }[] = [];
  const block = (blocker: MergeBlocker, detail: string) => reasons.push({ blocker, detail });

  if (input.policy !== 'gated' && input.policy !== 'manual')
    block('policy', `merge policy is ${input.policy}`);
  if (pr.state !== 'open') block('not_open', `PR #${pr.number} is ${pr.state}`);
  if (!input.proofDigestValid) block('proof_edited', 'the proof does not match its digest: it was edited');
  for (const problem of input.proofProblems ?? []) block('proof_edited', problem);
  if (proof.status !== 'ready' && !acceptedReview(proof)) {
    // Waiting only for a person: say so, as the gaps' hints do, so the refusal is no dead end.
    const waits = awaitsReview(proof) ? ': it waits for a person to read the change and accept the goal' : '';
    block('proof_not_ready', `the proof is ${proof.status}${waits}`);
  }
  const freshness = checkFreshness(proof, pr);
  if (!freshness.fresh) block('stale_proof', freshness.reason);
  for (const problem of input.proofCheckProblems ?? []) block('proof_check', problem);
  if (pr.draft) block('draft', `PR #${pr.number} is a draft`);
  if (pr.mergeable === false) block('conflict', `PR #${pr.number} has conflicts with ${pr.base}`);
  if (pr.mergeable === null) block('mergeability_unknown', 'GitHub has not computed mergeability yet');

  const others = input.checks.filter((check) => check.name !== PROOF_CHECK);
  const failed = others.filter((check) => check.state === 'failure');
  const pending = others.filter((check) => check.state === 'pending');
  const present = new Set(others.filter((check) => check.state !== 'pending').map((check) => check.name));
  const requireChecks = input.requireChecks ?? 'none';
  const protected_ = input.protection?.requiredContexts ?? [];
  const listed = Array.isArray(requireChecks) ? requireChecks : [];
  const missing = [...new Set([...protected_, ...listed])].filter(
    (name) => name !== PROOF_CHECK && !present.has(name),
  );
  if (failed.length > 0) block('checks_failed', `failing: ${failed.map((c) => c.name).join(', ')}`);
  if (pending.length > 0 || missing.length > 0) {
    block('checks_pending', `waiting for: ${[...pending.map((c) => c.name), ...missing].join(', ')}`);
  }
  // No check at all is not green: with nothing required by a readable protection, CI must have
  // succeeded at least once on the head (a push by a workflow's token starts no workflow at all).
  if (requireChecks === 'auto' && protected_.length === 0 && !others.some((c) => c.state === 'success')) {
    const why =
      input.protection === null
        ? `${pr.base}'s branch protection cannot be read`
        : `${pr.base}'s branch protection requires no check`;
    block(
      'no_checks',
      `no check besides ${PROOF_CHECK} has succeeded on ${pr.headSha.slice(0, 12)}, and ${why}: CI has not run on this head`,
    );
  }

  if (input.reviews.changesRequested) block('changes_requested', 'a reviewer requested changes');
  const required = input.protection?.requiredApprovals ?? 0;
  if (input.reviews.approvals < required) {
    block('review_required', `${input.reviews.approvals} of ${required} required approvals`);
  }
  if (input.enforceProtection && input.protection === null) {
    // The detail is recorded in proof.json: the blocker names the cause, no front door's option.
    block('unprotected_base', `${pr.base} has no readable branch protection, and this merge requires one`);
  }

  const first = reasons[0];
  if (first) return { merge: false, blockedBy: first.blocker, reasons };
  return { merge: true, sha: pr.headSha };
}
