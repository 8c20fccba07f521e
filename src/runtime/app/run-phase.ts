/**
 * The events that move a run to its next phase, a slice's settling among them (done, failed,
 * skipped, or failed with attempts left: `task_pending`), a review fix asked or ended, and an agent
 * starting to wait out a rate limit; the others (leases, gate runs, spend)
 * do not, so a comment is not edited for every attempt an agent starts.
 */
const PHASE_EVENTS: ReadonlySet<string> = new Set([
  'plan_written',
  'task_done',
  'task_failed',
  'task_skipped',
  'task_pending',
  'integration_repair_started',
  'agent_rate_limited',
  'fix_requested',
  'fix_applied',
  'fix_failed',
  'integration_done',
  'integration_conflict',
  'pr_opened',
  'goal_merged',
  'budget_exhausted',
  'execution_interrupted',
  'execution_finished',
]);

/** Whether any of the event types just appended moves a run to its next phase (a status worth showing again). */
export function movesRunPhase(types: readonly string[]): boolean {
  return types.some((type) => PHASE_EVENTS.has(type));
}
