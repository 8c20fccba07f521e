import {
  type GoalRecord,
  goalReport,
  NotFoundError,
  pullSharedGoal,
  UsageError,
  unknownSlice,
} from '../runtime/app/index.js';
import type { ActionRuntime } from './compose.js';
import { type ActionCommand, GOAL_ID_EXAMPLE, SLICE_EXAMPLE } from './inputs.js';
import type { CommandOutcome } from './outcome.js';

/** Downloads goal-id from the state branch; a goal that is not there is named by its input. */
export async function pullGoal(rt: ActionRuntime, goalId: string): Promise<GoalRecord> {
  const branch = rt.inputs.stateBranch;
  // Another runner created it: it is pointed at this runner's checkout.
  const pulled = await pullSharedGoal(rt.store, rt.state, goalId, { repoRoot: rt.repoRoot });
  if (!pulled.found) {
    throw new NotFoundError(
      `goal-id: there is no goal '${goalId}' on the state branch ${branch}${pulled.missing === 'branch' ? ' (the branch does not exist yet)' : ''}.`,
      {
        hint: `Pass the goal-id output of the run or plan step that created it, with the same state-branch. Example: ${GOAL_ID_EXAMPLE}`,
      },
    );
  }
  rt.reporter.info(`goal ${goalId} from ${branch} at ${pulled.commit.slice(0, 12)}`);
  return pulled.goal;
}

/** Pushes the goal directory to the state branch (fast-forward, retried on races); not on dry runs. */
export async function saveGoal(rt: ActionRuntime, goalId: string, message: string): Promise<void> {
  if (rt.inputs.dryRun) {
    rt.reporter.info(`dry-run: goal ${goalId} stays on this runner; the state branch is not updated`);
    return;
  }
  const commit = await rt.state.push(goalId, message);
  rt.reporter.info(`goal ${goalId} saved to ${rt.inputs.stateBranch} at ${commit.slice(0, 12)}`);
}

/**
 * Runs `fn`, then saves the goal whatever happened: evidence gathered before a failure is kept.
 * A save that fails after `fn` failed is a warning, so the first error is the one reported.
 */
export async function savingState<T>(
  rt: ActionRuntime,
  goalId: string,
  message: string,
  fn: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await saveAfterFailure(rt, goalId, message);
    throw error;
  }
  await saveGoal(rt, goalId, message);
  return result;
}

/** Saves what a failed step gathered; a save that fails too is a warning, not a second error. */
export async function saveAfterFailure(rt: ActionRuntime, goalId: string, message: string): Promise<void> {
  await saveGoal(rt, goalId, `${message} (failed)`).catch((saveError: unknown) =>
    rt.reporter.warn(
      `could not save goal ${goalId} after the failure: ${saveError instanceof Error ? saveError.message : String(saveError)}`,
    ),
  );
}

/** A slice of the goal's plan, or an error naming the slice input with the plan's slices. */
export async function requireSlice(rt: ActionRuntime, goalId: string, slice: string): Promise<void> {
  const ids = await unknownSlice(rt.store, goalId, slice);
  if (ids === null) return;
  throw new UsageError(
    `slice: '${slice}' is not a slice of goal ${goalId} (its slices: ${ids.join(', ') || 'none'}). Example: ${ids[0] === undefined ? SLICE_EXAMPLE : `slice: ${ids[0]}`}`,
    { hint: "Take slice ids from the plan step's slices output." },
  );
}

/** The outcome of a command on a goal, read back from its state. */
export async function outcomeFor(
  rt: ActionRuntime,
  command: ActionCommand,
  goalId: string,
  extra: Partial<Omit<CommandOutcome, 'command' | 'goalId' | 'proof' | 'proofPath' | 'slices'>> = {},
): Promise<CommandOutcome> {
  const { proof, digestValid, proofPath, slices } = await goalReport(rt.store, goalId);
  if (!digestValid) {
    rt.reporter.warn(
      `proof.json of goal ${goalId} does not match its digest: it was edited. Do not trust it.`,
    );
  }
  return {
    command,
    goalId,
    proof,
    proofPath,
    slices,
    judged: false,
    refused: null,
    notes: [],
    dryRunPlan: null,
    sliceStatus: null,
    ...extra,
  };
}
