import type { MergeGoalResult } from '../delivery/merge.js';
import type { GoalStatus } from '../goal/schema.js';
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
  | { code: 'no_base' }
  | { code: 'merge_manual'; goalId: string }
  | { code: 'merge_disabled' }
  | { code: 'no_integrator' }
  | { code: 'merged'; pr: number; sha: string }
  | { code: 'merge_blocked'; pr: number; blockedBy: string; reasons: string[] }
  | { code: 'dry_run' };

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
  }
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
