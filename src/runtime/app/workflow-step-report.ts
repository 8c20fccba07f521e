import { goalReport } from './goal-report.js';
import { proofNotice } from './shared-step-notices.js';
import type {
  WorkflowStepHost,
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
