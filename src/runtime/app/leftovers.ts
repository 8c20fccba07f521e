import { join } from 'node:path';
import { PolicyViolationError } from '../errors.js';
import { quoteUntrusted } from '../graph/paths.js';
import { goalPaths, workspacesDir } from '../state/paths.js';
import type { AppDeps } from './deps.js';

/**
 * Ends what any agent, gate or install of this omk left running, once its runs are over and before
 * anything is pushed or delivered. The checks after each run already end what that run left and
 * block its slice; one found here escaped them (a run outside them, such as the planner's), so
 * nothing is delivered: the goal's work waits for a run that leaves nothing behind.
 */
export async function refuseLeftovers(
  deps: Pick<AppDeps, 'execution' | 'store'>,
  goalId: string,
): Promise<void> {
  const { stateRoot } = deps.store.deps;
  const { root } = (await deps.store.read(goalId)).repo;
  // This goal's runs only: its worktrees, its directory (the planner's), its repository (the base's gates).
  const places = [join(workspacesDir(stateRoot), goalId), goalPaths(stateRoot, goalId).dir, root];
  const scan = await deps.execution.integrity.endLeftovers(places);
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
