/**
 * What a workflow step on a shared goal (pulled from the state branch, saved back) tells its log,
 * as data a host words: where the step's save went, or that a dry run kept the goal on this runner;
 * and that the goal's proof no longer matches its digest (someone edited it), which is a warning,
 * not a failure: the step's own outcome still stands, read back from the state.
 */
export type SharedStepNotice =
  | { kind: 'saved'; level: 'info'; goalId: string; commit: string }
  | { kind: 'kept_on_runner'; level: 'info'; goalId: string }
  | { kind: 'edited_proof'; level: 'warn'; goalId: string };

/** The length a state commit is shown at. */
const SHORT_COMMIT = 12;

/** Where a step's save went: the state commit; with none, a dry run's goal stays here; else nothing to say. */
export function savedNotice(goalId: string, commit: string | null, dryRun: boolean): SharedStepNotice | null {
  if (commit !== null) return { kind: 'saved', level: 'info', goalId, commit: commit.slice(0, SHORT_COMMIT) };
  return dryRun ? { kind: 'kept_on_runner', level: 'info', goalId } : null;
}

/** A warning when the goal's proof does not match its digest; null when it does. */
export function proofNotice(goalId: string, digestValid: boolean): SharedStepNotice | null {
  return digestValid ? null : { kind: 'edited_proof', level: 'warn', goalId };
}
