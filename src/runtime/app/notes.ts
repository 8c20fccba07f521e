import type { MergeGoalResult } from '../delivery/merge.js';
import type { DeliveryPolicy, GoalStatus, ProofStatus } from '../goal/schema.js';
import { INTEGRATION_ID } from '../graph/branches.js';
import type { SliceJobReport } from './judgement.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * What happened after execution, and why something did not, as data: each front door shows it in
 * its own way, with `describeNote` for the words and its vocabulary for the commands it names.
 */
export type AppNote =
  | { code: 'stopped'; by: 'pause' | 'cancel' | 'signal' | 'budget' }
  | { code: 'stopped_remotely'; action: 'pause' | 'cancel' }
  | { code: 'policy_local'; goalId: string }
  | { code: 'not_deliverable'; status: GoalStatus }
  /** Stopped by a person after execution, before or during its delivery by `policy` (delivery-stop.ts). */
  | { code: 'withheld'; status: GoalStatus; policy: DeliveryPolicy; opened: number[]; withheld: string[] }
  | { code: 'no_base' }
  | { code: 'merge_manual'; goalId: string }
  | { code: 'merge_disabled' }
  | { code: 'no_integrator' }
  | { code: 'merged'; pr: number; sha: string }
  | { code: 'merge_blocked'; pr: number; blockedBy: string; reasons: string[] }
  | { code: 'dry_run' }
  /** A start request named a goal that is no longer planned (a redelivery, a restart): nothing starts twice. */
  | { code: 'not_started'; status: GoalStatus; dispatches: boolean }
  | {
      code: 'fix_done';
      kind: 'applied' | 'failed';
      pr: number;
      /** null or the integration: the integrator PR. */
      sliceId: string | null;
      headSha: string | null;
      /** How many requests (a review's body and line comments) the one fix answered. */
      requests: number;
      proofStatus: ProofStatus;
    }
  | { code: 'fix_already_handled'; requestIds: string[] }
  /** What one slice job (a CI matrix cell) came to. */
  | { code: 'slice_job'; report: SliceJobReport }
  /** The slice jobs' results folded into the goal before it was integrated. */
  | { code: 'slices_folded'; folded: number; proofStatus: ProofStatus };

/** A delivery a person stopped, before it began or part-way (delivery-stop.ts). */
export type WithheldNote = Extract<AppNote, { code: 'withheld' }>;

export function describeNote(note: AppNote, words: HostVocabulary): string {
  switch (note.code) {
    case 'stopped':
      return `execution stopped (${note.by}); nothing was delivered`;
    case 'stopped_remotely':
      return `the goal was ${note.action === 'pause' ? 'paused' : 'cancelled'} on the state branch while it ran; nothing was delivered`;
    case 'policy_local':
      return `delivery policy is local: branches only (open PRs with ${words.steps({ step: 'open_pr', goalId: note.goalId })})`;
    case 'not_deliverable':
      return `nothing delivered: the goal is ${note.status}`;
    case 'withheld':
      return withheldWords(note);
    case 'no_base':
      return `nothing delivered: the goal started on a detached HEAD (name a base with ${words.fields.given('baseBranch', 'main')})`;
    case 'merge_manual':
      return `merge policy is manual: merge with ${words.steps({ step: 'merge', goalId: note.goalId })} when it is ready`;
    case 'merge_disabled':
      return `merge policy is disabled: omk will not merge this goal (start it with ${words.fields.given('mergePolicy', 'gated')} to let it)`;
    case 'no_integrator':
      return 'no integrator PR was opened, so there is nothing to merge';
    case 'merged':
      return `merged the integrator PR #${note.pr} as ${note.sha.slice(0, 12)}`;
    case 'merge_blocked':
      return `merge blocked by ${note.blockedBy} (PR #${note.pr}): ${note.reasons.join('; ')}`;
    case 'dry_run':
      return 'dry-run: nothing was pushed, opened or merged';
    case 'not_started':
      return `${note.dispatches ? 'Not dispatched' : 'Not started again'}: the goal is ${note.status.replace(/_/g, ' ')}.`;
    case 'fix_done': {
      const which =
        note.sliceId === null || note.sliceId === INTEGRATION_ID
          ? 'integrator PR'
          : `slice ${note.sliceId}'s PR`;
      const sha = note.headSha === null ? 'no change' : `fix ${note.headSha.slice(0, 12)}`;
      return `Review fix on the ${which} #${note.pr}: ${note.kind} (${sha}) for ${note.requests} request(s); proof ${note.proofStatus}.`;
    }
    case 'fix_already_handled':
      return `Already handled: ${note.requestIds.join(', ')} (a rerun or a redelivery); nothing ran.`;
    case 'slice_job':
      return sliceJobWords(note.report);
    case 'slices_folded':
      return `folded ${note.folded} slice result(s); the integrated proof is ${note.proofStatus}`;
  }
}

function sliceJobWords(report: SliceJobReport): string {
  switch (report.kind) {
    case 'stopped':
      return `slice ${report.slice} stopped: the goal was ${report.by} on the state branch; nothing more runs here`;
    case 'already_done':
      return `slice ${report.slice} was already done; nothing ran`;
    case 'finished':
    case 'unfinished':
      return `slice ${report.slice}: ${report.outcome}; integrate once every slice's job has finished`;
  }
}

function withheldWords(note: WithheldNote): string {
  if (note.withheld.includes('delivery')) {
    return `nothing delivered: the goal was ${note.status} after execution, before its delivery (policy ${note.policy})`;
  }
  return `delivery stopped: the goal was ${note.status} during its delivery: ${withheldText(note)}`;
}

/**
 * What a stopped delivery left, from its `delivery_withheld` event: the PRs that stay open and
 * what was not done (not opened, not merged), with the policy.
 */
export function withheldText(stop: {
  opened: readonly number[];
  withheld: readonly string[];
  policy: string;
}): string {
  const parts: string[] = [];
  const n = stop.opened.length;
  if (n === 0) parts.push('nothing delivered');
  else
    parts.push(
      `${n === 1 ? 'PR' : 'PRs'} ${stop.opened.map((pr) => `#${pr}`).join(', ')} ${n === 1 ? 'stays' : 'stay'} open`,
    );
  const pulls = stop.withheld.filter((what) => what !== 'merge' && what !== 'delivery');
  if (pulls.length > 0) parts.push(`not opened: ${pulls.join(', ')}`);
  if (stop.withheld.includes('merge')) parts.push('not merged');
  return `${parts.join('; ')} (policy ${stop.policy})`;
}

/**
 * Whether a goal's progress says what `note` says (a merge's verdict or the merge, folded from its
 * events at every render): a status or summary that shows the progress leaves the note out.
 */
export function saidByProgress(note: { code: string }): boolean {
  return note.code === 'merge_blocked' || note.code === 'merged';
}

/** The note a merge attempt leaves. */
export function mergeNote(merge: MergeGoalResult): AppNote {
  return merge.merged
    ? { code: 'merged', pr: merge.pr, sha: merge.sha }
    : {
        code: 'merge_blocked',
        pr: merge.pr,
        blockedBy: merge.blockedBy,
        reasons: merge.reasons.map((reason) => reason.detail),
      };
}
