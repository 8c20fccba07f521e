import { PolicyViolationError } from '../errors.js';
import { quoteUntrusted } from '../graph/paths.js';
import type { AppDeps } from './deps.js';

/**
 * Ends what any agent, gate or install of this omk left running, once its runs are over and before
 * anything is pushed or delivered. The checks after each run already end what that run left and
 * block its slice; one found here escaped them (a run outside them, such as the planner's), so
 * nothing is delivered: the goal's work waits for a run that leaves nothing behind.
 */
export async function refuseLeftovers(deps: Pick<AppDeps, 'execution'>, goalId: string): Promise<void> {
  const scan = await deps.execution.integrity.endLeftovers();
  if (!scan.checked || scan.killed.length === 0) return;
  const listed = scan.killed
    .map((stray) => `${stray.pid}${stray.command === '' ? '' : ` (${quoteUntrusted(stray.command)})`}`)
    .join(', ');
  throw new PolicyViolationError(
    `A process omk started for goal ${goalId} left ${scan.killed.length === 1 ? 'a process' : 'processes'} running after its run ended: ${listed}; omk killed ${scan.killed.length === 1 ? 'it' : 'them'} and delivered nothing.`,
    {
      hint: 'Look at what the agent, its gates or the planner started in the background; run the goal again once none is left running.',
    },
  );
}
