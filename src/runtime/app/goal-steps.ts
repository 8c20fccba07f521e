import type { LifecycleResult } from '../goal/actions.js';
import { resumeContinuesExecution } from '../goal/actions.js';
import type { GoalRecord } from '../goal/schema.js';
import type { FixOutcome } from './fix.js';
import type { AppNote } from './notes.js';

/** A step a thread's command takes on a goal kept on the shared state. */
export type SharedGoalVerb =
  | 'status'
  | 'proof'
  | 'budget'
  | 'budget-add'
  | 'pause'
  | 'cancel'
  | 'accept'
  | 'reject'
  | 'resume'
  | 'open-pr'
  | 'merge';

/** What a step needs: the repository's code or only the goal's state, and whether it writes the state back. */
export interface SharedGoalNeeds {
  checkout: 'full' | 'state';
  saves: boolean;
}

/**
 * Reads need the state only and push nothing; changes push the state back; opening PRs pushes
 * the goal's branches, so it needs the code.
 */
export function sharedGoalNeeds(verb: SharedGoalVerb): SharedGoalNeeds {
  switch (verb) {
    case 'status':
    case 'proof':
    case 'budget':
      return { checkout: 'state', saves: false };
    case 'open-pr':
    // An acceptance delivers the goal's PRs again, so that they show it, before the gated merge.
    case 'accept':
      return { checkout: 'full', saves: true };
    default:
      return { checkout: 'state', saves: true };
  }
}

/** What follows a resume on a host that executes goals in place, or one that dispatches a workflow. */
export type ResumeFollowUp = 'none' | 'dispatch' | 'execute_here';

/**
 * After a resume, a goal that has work left continues: on a host with no `execute` command (a
 * thread), a goal paused before its run began starts too.
 */
export function resumeFollowUp(result: LifecycleResult, executesHere: boolean): ResumeFollowUp {
  if (!resumeContinuesExecution(result, { startPlanned: true })) return 'none';
  return executesHere ? 'execute_here' : 'dispatch';
}

/** Why a goal a start request names is not started (again), or null when it starts. */
export function notStartedNote(goal: GoalRecord, startable: boolean, dispatches: boolean): AppNote | null {
  return startable ? null : { code: 'not_started', status: goal.status, dispatches };
}

/** The note a review fix leaves: what ran on which PR, or that every request was handled already. */
export function fixNote(outcome: FixOutcome): AppNote {
  if (outcome.kind === 'already_handled')
    return { code: 'fix_already_handled', requestIds: outcome.requestIds };
  return {
    code: 'fix_done',
    kind: outcome.kind,
    pr: outcome.pr,
    sliceId: outcome.sliceId,
    headSha: outcome.report.headSha,
    requests: outcome.requestIds.length,
    proofStatus: outcome.proofStatus,
  };
}
