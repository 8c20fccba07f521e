import { createCommand } from './commands/create.js';
import { mergeCommand, openPrCommand } from './commands/deliver.js';
import { executeCommand } from './commands/execute.js';
import { executeSliceCommand, integrateCommand } from './commands/fan-out.js';
import { fixCommand } from './commands/fix.js';
import { statusCommand } from './commands/status.js';
import type { ActionRuntime } from './compose.js';
import type { CommandOutcome } from './outcome.js';

/** One command per step. Every command but run and plan works on an existing goal-id. */
export async function dispatch(rt: ActionRuntime): Promise<CommandOutcome> {
  const { command, goalId } = rt.inputs;
  if (command === 'run' || command === 'plan') return createCommand(rt, command);
  // fix may take its goal from the PR the review is on.
  if (command === 'fix') return fixCommand(rt);
  if (goalId === undefined) throw new Error(`unreachable: the inputs schema requires goal-id for ${command}`);
  switch (command) {
    case 'execute':
      return rt.inputs.slice === undefined
        ? executeCommand(rt, goalId)
        : executeSliceCommand(rt, goalId, rt.inputs.slice);
    case 'status':
      return statusCommand(rt, goalId);
    case 'open-pr':
      return openPrCommand(rt, goalId);
    case 'merge':
      return mergeCommand(rt, goalId);
    case 'verify':
    case 'review':
    case 'integrate':
      return integrateCommand(rt, goalId, command);
  }
}
