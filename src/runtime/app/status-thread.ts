import type { GoalOrigin } from '../goal/origin.js';

/**
 * Where a goal's status comment goes and whom it names: the thread and the person recorded as the
 * goal's origin when it has one (a goal started from one thread and commanded from another still
 * reports where it began), else the thread of the job at hand and the person it knows of. A null
 * thread means none is known: nothing is shown.
 */
export function statusThread(
  origin: GoalOrigin | null,
  job: { issue: number | null; startedBy: string | null },
): { issue: number | null; startedBy: string | null } {
  return { issue: origin?.issue ?? job.issue, startedBy: origin?.login ?? job.startedBy };
}
