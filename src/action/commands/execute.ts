import {
  describeNote,
  type ExecuteOutcome,
  executeAndDeliver,
  type PreparedAgent,
  prepareAgent,
} from '../../runtime/app/index.js';
import { agentChoice } from '../agent-choice.js';
import type { ActionRuntime } from '../compose.js';
import { outcomeFor, pullGoal, savingState } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';

/** What the runner reports of an execution: its notes in words, and a dry run's plan. */
export function executedNotes(rt: ActionRuntime, outcome: Pick<ExecuteOutcome, 'notes' | 'dryRunPlan'>) {
  return {
    notes: outcome.notes.map((note) => describeNote(note, rt.app.words)),
    dryRunPlan: outcome.dryRunPlan,
  };
}

/** Where this job delivers: base-branch, the goal's branch, the event's; dry-run delivers nothing. */
export function deliveryOf(rt: ActionRuntime) {
  return {
    after: rt.inputs.dryRun ? ('dry-run' as const) : ('deliver' as const),
    ...(rt.inputs.baseBranch === undefined ? {} : { base: rt.inputs.baseBranch }),
    ...(rt.github.defaultBase === undefined ? {} : { fallbackBase: rt.github.defaultBase }),
    method: rt.inputs.mergeMethod,
  };
}

/** Runs `fn` with a signal that cancelling the workflow aborts (the goal stays resumable). */
export async function cancellable<T>(rt: ActionRuntime, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const unsubscribe = rt.signals.subscribe(() => interrupt.abort());
  try {
    return await fn(interrupt.signal);
  } finally {
    unsubscribe();
  }
}

/** The whole goal in this job, then delivery and merge by its policies (a dry run only shows it). */
export async function executeHere(
  rt: ActionRuntime,
  goalId: string,
  prepared: PreparedAgent,
): Promise<ExecuteOutcome> {
  return cancellable(rt, (signal) =>
    executeAndDeliver(rt.app, { goalId, ...deliveryOf(rt), prepared, signal }),
  );
}

/** `execute` without `slice`: the whole goal in this job, then delivery and merge by policy. */
export async function executeCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const goal = await pullGoal(rt, goalId);
  // A missing or unknown agent is refused before anything runs or is saved.
  const prepared = await prepareAgent(rt.app, goal.repo.root, await agentChoice(rt), goal.options.agent);
  const executed = await savingState(rt, goalId, `execute: goal ${goalId}`, async () =>
    executedNotes(rt, await executeHere(rt, goalId, prepared)),
  );
  return outcomeFor(rt, 'execute', goalId, { judged: true, ...executed });
}
