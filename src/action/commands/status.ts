import { sliceStatusIn } from '../../runtime/app/index.js';
import type { ActionRuntime } from '../compose.js';
import { onGoal, outcomeFor, requireSlice } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';

/**
 * `status`: the goal's proof from the state branch. The step passes or fails on it like run does,
 * so it can gate a later job. With slice: that slice's status, which does not decide the step.
 */
export async function statusCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const { slice } = rt.inputs;
  return onGoal(rt, goalId, null, async () => {
    if (slice === undefined) return outcomeFor(rt, 'status', goalId, { judged: true });
    await requireSlice(rt, goalId, slice);
    const outcome = await outcomeFor(rt, 'status', goalId);
    return { ...outcome, sliceStatus: sliceStatusIn(outcome.proof, slice) };
  });
}
