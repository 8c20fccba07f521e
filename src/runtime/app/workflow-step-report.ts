import { goalReport } from './goal-report.js';
import type { WithheldNote } from './notes.js';
import { proofNotice } from './shared-step-notices.js';
import type {
  WorkflowStepHost,
  WorkflowStepNote,
  WorkflowStepNotice,
  WorkflowStepOutcome,
  WorkflowStepRan,
} from './workflow-step-types.js';
import type { WorkflowStep } from './workflow-steps.js';

/** Tells the host's log a notice, when there is one. */
export function tell(host: WorkflowStepHost, notice: WorkflowStepNotice | null): void {
  if (notice !== null) host.notify(notice);
}

/** The outcome of a step on a goal, read back from its state (an edited proof is a warning). */
export async function stepReport(
  host: WorkflowStepHost,
  command: WorkflowStep,
  goalId: string,
  ran: WorkflowStepRan = {},
): Promise<WorkflowStepOutcome> {
  const { proof, digestValid, proofPath, slices } = await goalReport(host.app.store, goalId);
  tell(host, proofNotice(goalId, digestValid));
  const base = { judged: false, failure: null, notes: [], dryRunPlan: null, sliceStatus: null };
  return { command, goalId, proof, proofPath, slices, ...base, ...ran };
}

/**
 * A step whose delivery a person stopped (paused, cancelled, rejected the goal) before or while it
 * opened PRs (open-pr, merge, accept): it fails, saying what stays open and what was not opened.
 */
export function withheldStep(
  host: WorkflowStepHost,
  command: WorkflowStep,
  goalId: string,
  note: WithheldNote,
  notes: WorkflowStepNote[],
): Promise<WorkflowStepOutcome> {
  const failure = { code: 'delivery_withheld' as const, goalId, note };
  return stepReport(host, command, goalId, { failure, notes: [...notes, note] });
}
