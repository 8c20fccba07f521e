import type { GoalStatus, ProofStatus } from '../goal/schema.js';

/** What one fix came to, as the answer to a review says it. */
export interface FixReport {
  pr: number;
  /** The fix commit on the PR's branch; null when the agent changed nothing. */
  headSha: string | null;
  changedFiles: readonly string[];
  /** How the agent ended when it did not succeed. */
  agentFailure: string | null;
  /** The blocking review findings that kept the fix's change off the branch (empty: none). */
  refused?: readonly string[];
  proofStatus: ProofStatus;
  /** Required gates that fail on the new head. */
  failing: readonly string[];
  /** The PRs were updated with the fix (pushed, bodies, the omk/proof check run). */
  delivered: boolean;
  /** A person stopped the goal (this status) while its PRs were updated: not all show the fix. */
  stoppedAs?: GoalStatus;
}

const MAX_FILES = 20;

/**
 * The answer to a change request: what changed (the commit and its files) and what the proof says
 * now, or why nothing changed. Pure; it never holds a line that starts with `/omk`.
 */
export function fixReply(report: FixReport): string {
  if (report.headSha === null) {
    const refused = report.refused ?? [];
    const why =
      report.agentFailure !== null
        ? `the agent ${report.agentFailure}`
        : refused.length > 0
          ? `its change was refused by review: ${refused.join(' ')}`
          : 'the agent changed nothing';
    return [
      `omk did not change PR #${report.pr}: ${why}.`,
      `The PR stays as it was; its proof is still **${report.proofStatus}**.`,
    ].join('\n\n');
  }
  const files = report.changedFiles.slice(0, MAX_FILES).map((path) => `\`${path}\``);
  const more =
    report.changedFiles.length > MAX_FILES ? ` and ${report.changedFiles.length - MAX_FILES} more` : '';
  const lines = [
    `omk pushed a fix to this PR: ${report.headSha.slice(0, 12)}, changing ${files.join(', ')}${more}.`,
  ];
  if (!report.delivered && report.stoppedAs !== undefined) {
    lines.push(
      `The goal was ${report.stoppedAs} while its PRs were updated, so not all of them show the fix yet.`,
    );
  } else if (!report.delivered) {
    lines.push(`The goal is **${report.proofStatus}** after the fix, so its PRs were not updated.`);
  } else if (report.proofStatus === 'ready') {
    lines.push('The gates pass on the new head: the proof is **ready** (see the omk/proof check).');
  } else {
    const failing =
      report.failing.length > 0 ? `: ${report.failing.map((g) => `\`${g}\``).join(', ')} fail` : '';
    lines.push(
      `The proof is **${report.proofStatus}** on the new head${failing}. The PR stays open; see the omk/proof check.`,
    );
  }
  return lines.join('\n\n');
}
