// Which of a goal's branches delivery keeps on this machine. A pushed branch is read by the
// forge's CI: a `push` or `pull_request` workflow runs from the pushed commit's own
// `.github/workflows/` with the repository's token and secrets, and a key in its diff is published.
// So a branch whose head holds a change the security review blocks (a workflow edit the plan did
// not allow, a secret) or a run that reached outside its worktree (integrity: a hook planted, a
// link out of the repository, omk's state written) is never pushed, whatever the delivery policy.
// A workflow change the goal was created to make (goal.json options.allowWorkflowEdits) is not
// blocked, but its branch waits here until a person has read it and accepted the goal.

import { type ExecutionStateRecord, sliceRecord } from '../controller/execution-state.js';
import type { Finding } from '../proof/schema.js';
import { allowedWorkflowChanges } from '../review/security.js';

/** A branch delivery did not push, and why: a code and its data, which each host words. */
export interface KeptBranch {
  /** The slice whose PR the branch would head; null: the integrator's. */
  sliceId: string | null;
  branch: string;
  /**
   * `blocked_for_security`: its head holds a change with a blocking finding of the security
   * review or of an integrity check (`findings`); `merges_kept_slice`: the integration merges a
   * slice branch kept for that reason (`slices`); `awaits_acceptance`: its head holds a workflow
   * change the goal was created to make, which a person has not accepted yet (`paths`).
   */
  code: 'blocked_for_security' | 'merges_kept_slice' | 'awaits_acceptance';
  /** The blocking findings' messages, as the review wrote them (at most `MAX_KEPT_FINDINGS`). */
  findings: string[];
  /** The paths those findings name. */
  paths: string[];
  /** The kept slices it merges (`merges_kept_slice`). */
  slices: string[];
}

/** Past it, the rest of the findings are left to the proof. */
export const MAX_KEPT_FINDINGS = 5;

/** The blocking findings that keep a branch local: the security review's, which integrity checks write too. */
export function heldFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.review === 'security' && finding.severity === 'blocking');
}

function keptFor(
  sliceId: string | null,
  branch: string,
  findings: readonly Finding[],
  accepted: boolean,
): KeptBranch | null {
  const held = heldFindings(findings);
  if (held.length === 0) {
    const awaited = accepted ? [] : allowedWorkflowChanges(findings);
    if (awaited.length === 0) return null;
    const paths = [...new Set(awaited.flatMap((finding) => finding.paths))].sort();
    return { sliceId, branch, code: 'awaits_acceptance', findings: [], paths, slices: [] };
  }
  return {
    sliceId,
    branch,
    code: 'blocked_for_security',
    findings: held.slice(0, MAX_KEPT_FINDINGS).map((finding) => finding.message),
    paths: [...new Set(held.flatMap((finding) => finding.paths))].sort(),
    slices: [],
  };
}

/**
 * A done slice's branch kept local: its own run's blocking security or integrity findings, or a
 * workflow change of its that waits for the goal's acceptance (`accepted`: a person accepted it).
 */
export function keptSlice(
  execution: ExecutionStateRecord,
  sliceId: string,
  branch: string,
  accepted = false,
): KeptBranch | null {
  return keptFor(sliceId, branch, sliceRecord(execution, sliceId).findings, accepted);
}

/**
 * The integration branch kept local: the integrated tree's review (an integration repair's change
 * among it) or the repair agent's integrity checks block it, or it merges a kept slice branch.
 */
export function keptIntegration(
  execution: ExecutionStateRecord,
  kept: readonly KeptBranch[],
  accepted = false,
): KeptBranch | null {
  const integration = execution.integration;
  if (integration === null) return null;
  const own = keptFor(
    null,
    integration.branch,
    [...execution.finalFindings, ...execution.integrationIntegrity],
    accepted,
  );
  if (own !== null) return own;
  const slices = kept.filter((branch) => integration.merged.includes(branch.branch));
  if (slices.length === 0) return null;
  return {
    sliceId: null,
    branch: integration.branch,
    code: 'merges_kept_slice',
    findings: [],
    paths: [...new Set(slices.flatMap((slice) => slice.paths))].sort(),
    slices: slices.map((slice) => slice.sliceId ?? slice.branch),
  };
}

/**
 * The branches a delivery keeps local among those it would push: `slices`, the done slices with a
 * change to deliver (in order), then the integration when there is one to deliver. `accepted`: a
 * person accepted the goal, so a workflow change it was created to make no longer waits.
 */
export function keptBranches(
  execution: ExecutionStateRecord,
  slices: readonly string[],
  withIntegration: boolean,
  accepted = false,
): KeptBranch[] {
  const kept = slices.flatMap((id) => {
    const branch = keptSlice(execution, id, sliceRecord(execution, id).branch ?? '', accepted);
    return branch === null ? [] : [branch];
  });
  const integration = withIntegration ? keptIntegration(execution, kept, accepted) : null;
  return integration === null ? kept : [...kept, integration];
}

/** One line for a kept branch, the same in every host's output (it names no option of any host). */
export function keptBranchText(kept: KeptBranch): string {
  return `kept ${kept.branch} on this machine, not pushed: ${keptBranchReason(kept)}`;
}

/** Why a branch is kept, in words. */
export function keptBranchReason(kept: KeptBranch): string {
  const where = kept.paths.length > 0 ? ` (${kept.paths.join(', ')})` : '';
  if (kept.code === 'merges_kept_slice') {
    return `it merges ${kept.slices.join(', ')}, kept for the same reason${where}`;
  }
  if (kept.code === 'awaits_acceptance') {
    return (
      "its head changes the CI workflows, which a push would run in the repository's CI with its " +
      `token and secrets: it waits for a person to read the change and accept the goal${where}`
    );
  }
  return (
    'its head holds a change the security review blocks, and a push would run it in the ' +
    `repository's CI with its token and secrets or publish it${where}: ${kept.findings.join(' ')}`
  );
}
