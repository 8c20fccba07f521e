import {
  applyLifecycle,
  type LifecycleResult,
  resumable,
  resumeContinuesExecution,
  resumeOrphans,
} from '../goal/actions.js';
import type { LifecycleAction } from '../goal/lifecycle.js';
import type { RepoScope } from '../goal/repo-scope.js';
import type { GoalStore } from '../goal/store.js';
import { parseRequest, summaryTextSchema } from '../requests.js';
import type { ExitVerdict } from './exit-verdict.js';

/**
 * The words a lifecycle change records: accept needs a summary and reject a reason (refused as a
 * request issue on that field when empty), cancel may give a reason, pause and resume take none.
 */
export function lifecycleText(
  action: LifecycleAction,
  given: { summary?: unknown; reason?: unknown },
): string {
  if (action === 'accept') return parseRequest(summaryTextSchema('summary'), given.summary ?? '');
  if (action === 'reject') return parseRequest(summaryTextSchema('reason'), given.reason ?? '');
  if (action === 'cancel' && typeof given.reason === 'string') return given.reason;
  return '';
}

/** A lifecycle change, and whether the goal's execution continues in this process afterwards. */
export interface LifecycleChange {
  result: LifecycleResult;
  execute: boolean;
}

/**
 * Applies `action`; a resume of a goal that is running again (or reopened until ready) executes
 * here. `by`: who asked, as the front door knows them, recorded on the event and the proof.
 */
export async function changeLifecycle(
  store: GoalStore,
  goalId: string,
  action: LifecycleAction,
  text: string,
  by?: string,
): Promise<LifecycleChange> {
  const result = await applyLifecycle(store, goalId, action, text, by);
  return { result, execute: action === 'resume' && resumeContinuesExecution(result) };
}

/**
 * `resume --auto`: every goal of `scope`'s repository (null: of every repository) whose controller
 * died is resumed; those that continue execute here, a `planned` one too (a run killed while it planned).
 */
export async function resumeAllOrphans(
  store: GoalStore,
  scope: RepoScope | null,
): Promise<LifecycleChange[]> {
  return (await resumeOrphans(store, scope)).map((result) => ({
    result,
    execute: resumeContinuesExecution(result, { startPlanned: true }),
  }));
}

/** What `resume --auto` came to: each goal it resumed, and the exit verdict of the runs it continued. */
export interface OrphansResumed {
  results: LifecycleResult[];
  verdict: ExitVerdict | undefined;
  /** Goals of other repositories it would have resumed, left alone (0 with a null scope). */
  leftOut: number;
}

/**
 * `resume --auto` as a whole: every goal of `scope`'s repository (null: of every repository) whose
 * controller died is resumed, and each that continues is run by `execute` (the host's execution
 * here, with its progress), one after another: another repository's goals are not this command's
 * to run, even though each would run in its own checkout. The verdict is that of the last run that
 * had one (a later run that settled does not hide an earlier one's interruption or budget).
 */
export async function resumeOrphansHere(
  store: GoalStore,
  scope: RepoScope | null,
  execute: (goalId: string) => Promise<ExitVerdict | undefined>,
): Promise<OrphansResumed> {
  const leftOut =
    scope === null
      ? 0
      : (await store.list()).filter((goal) => !scope.holds(goal.repo.root) && resumable(store, goal)).length;
  const changes = await resumeAllOrphans(store, scope);
  let verdict: ExitVerdict | undefined;
  for (const change of changes) {
    if (change.execute) verdict = (await execute(change.result.goal.id)) ?? verdict;
  }
  return { results: changes.map((change) => change.result), verdict, leftOut };
}
