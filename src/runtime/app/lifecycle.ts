import {
  applyLifecycle,
  type LifecycleResult,
  resumeContinuesExecution,
  resumeOrphans,
} from '../goal/actions.js';
import type { LifecycleAction } from '../goal/lifecycle.js';
import type { GoalStore } from '../goal/store.js';
import { parseRequest, summaryTextSchema } from '../requests.js';

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

/** Applies `action`; a resume of a goal that is running again (or reopened until ready) executes here. */
export async function changeLifecycle(
  store: GoalStore,
  goalId: string,
  action: LifecycleAction,
  text: string,
): Promise<LifecycleChange> {
  const result = await applyLifecycle(store, goalId, action, text);
  return { result, execute: action === 'resume' && resumeContinuesExecution(result) };
}

/**
 * `resume --auto`: every goal whose controller died is resumed; those that continue execute here,
 * a `planned` one too (a run killed while it planned).
 */
export async function resumeAllOrphans(store: GoalStore): Promise<LifecycleChange[]> {
  return (await resumeOrphans(store)).map((result) => ({
    result,
    execute: resumeContinuesExecution(result, { startPlanned: true }),
  }));
}
