import { BusyError } from '../errors.js';

/** What a command asks of a goal that is executing in this process. */
export interface WhileRunningRequest {
  goalId: string;
  verb: 'open-pr' | 'merge';
  /** Whether the goal is executing in this process now. */
  running: boolean;
}

/**
 * A goal executing here delivers and merges by its policies when it finishes, so a command to open
 * its PRs or merge it now is refused (null: it may go ahead); the hint names the step to take after.
 */
export function refusedWhileRunning(request: WhileRunningRequest): BusyError | null {
  if (!request.running) return null;
  const { goalId } = request;
  const step = request.verb === 'open-pr' ? 'open_pr' : 'merge';
  return new BusyError(`Goal ${goalId} is running in this app.`, {
    hint: ['It delivers and merges by its policies when it finishes; use ', { step, goalId }, ' after that.'],
  });
}
