import { createReviewReplies } from '../../adapters/github/review-replies.js';
import { abortOnSignal } from '../../adapters/process/signals.js';
import {
  describeNote,
  type ExecuteOutcome,
  executeAndDeliver,
  type PreparedAgent,
  workflowDelivery,
} from '../../runtime/app/index.js';
import type { ActionRuntime } from '../compose.js';
import { onGoalWithAgent, outcomeFor } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';

/** What the runner reports of an execution: its notes in words, and a dry run's plan. */
export function executedNotes(rt: ActionRuntime, outcome: Pick<ExecuteOutcome, 'notes' | 'dryRunPlan'>) {
  return {
    notes: outcome.notes.map((note) => describeNote(note, rt.app.words)),
    dryRunPlan: outcome.dryRunPlan,
  };
}

/** The base PRs target: base-branch, else the goal's branch, else the event's default branch. */
export function baseOf(rt: ActionRuntime): { base?: string; fallbackBase?: string } {
  return {
    ...(rt.inputs.baseBranch === undefined ? {} : { base: rt.inputs.baseBranch }),
    ...(rt.github.defaultBase === undefined ? {} : { fallbackBase: rt.github.defaultBase }),
  };
}

/** Whether (`workflowDelivery`), where and how this step delivers. */
export function deliveryOf(rt: ActionRuntime) {
  return {
    after: workflowDelivery(rt.inputs.command, rt.inputs.dryRun),
    ...baseOf(rt),
    method: rt.inputs.mergeMethod,
  };
}

/** The whole goal in this job, then delivery and merge by its policies (a dry run only shows it). */
export async function executeHere(
  rt: ActionRuntime,
  goalId: string,
  prepared: PreparedAgent,
): Promise<ExecuteOutcome> {
  return abortOnSignal(rt.signals, (signal) =>
    executeAndDeliver(rt.app, {
      goalId,
      ...deliveryOf(rt),
      prepared,
      signal,
      // A review fix resumed here is answered in its threads, as its first run would have.
      replies: createReviewReplies({ token: rt.inputs.githubToken, repo: rt.github.repo, env: rt.env }),
    }),
  );
}

/** `execute` without `slice`: the whole goal in this job, then delivery and merge by policy. */
export async function executeCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const executed = await onGoalWithAgent(rt, goalId, `execute: goal ${goalId}`, async (prepared) =>
    executedNotes(rt, await executeHere(rt, goalId, prepared)),
  );
  return outcomeFor(rt, 'execute', goalId, { judged: true, ...executed });
}
