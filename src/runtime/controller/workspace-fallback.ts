import { machineRoots, relativizer } from '../proof/machine-paths.js';
import type { SliceWorkspace } from '../workspace/port.js';
import type { RunContext } from './context.js';

/**
 * A slice that runs in a branch checkout (a clone) though worktrees were asked for: said on the
 * terminal and in the event log, with why (git's own words), so a fallback is never silent.
 */
export async function sayFallback(
  ctx: Pick<RunContext, 'deps' | 'journal' | 'goal'>,
  taskId: string,
  workspace: SliceWorkspace,
): Promise<void> {
  if (workspace.mode !== 'branch-checkout' || ctx.goal.options.sliceExecution === 'branch') return;
  const { deps, goal, journal } = ctx;
  const local = relativizer(machineRoots(deps.store.deps.stateRoot, goal, journal.execution));
  const reason = local(workspace.fallbackReason ?? 'not said');
  deps.reporter.warn(
    `[${taskId}] runs in a branch checkout (a clone of the repository), not a worktree: ${reason}`,
  );
  await journal.save([{ type: 'workspace_fallback', data: { taskId, reason } }]);
}
