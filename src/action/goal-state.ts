import {
  type GoalRecord,
  goalReport,
  NotFoundError,
  type PreparedAgent,
  prepareAgent,
  proofNotice,
  type SharedStepNotice,
  savedNotice,
  UsageError,
  unknownSlice,
  withPreparedSharedGoal,
} from '../runtime/app/index.js';
import { agentChoice } from './agent-choice.js';
import type { ActionRuntime } from './compose.js';
import { type ActionCommand, GOAL_ID_EXAMPLE, SLICE_EXAMPLE } from './inputs.js';
import type { CommandOutcome } from './outcome.js';
import { wordNotice } from './wording.js';

/** A goal that is not on the state branch, named by its input. */
function notOnStateBranch(rt: ActionRuntime, goalId: string, missing: 'branch' | 'goal'): NotFoundError {
  return new NotFoundError(
    `goal-id: there is no goal '${goalId}' on the state branch ${rt.inputs.stateBranch}${missing === 'branch' ? ' (the branch does not exist yet)' : ''}.`,
    {
      hint: `Pass the goal-id output of the run or plan step that created it, with the same state-branch. Example: ${GOAL_ID_EXAMPLE}`,
    },
  );
}

/**
 * Runs `act` on goal-id from the state branch (a goal another runner created is pointed at this
 * checkout), after `prepare`, whose refusal saves nothing. With a `save` message the goal is
 * pushed back afterwards whatever happened, so evidence gathered before a failure is kept; a dry
 * run keeps it on this runner.
 */
export async function onGoalPrepared<T, P>(
  rt: ActionRuntime,
  goalId: string,
  save: string | null,
  prepare: (goal: GoalRecord) => Promise<P>,
  act: (prepared: P) => Promise<T>,
  saveIf?: (value: T) => boolean,
): Promise<T> {
  const branch = rt.inputs.stateBranch;
  const step = await withPreparedSharedGoal(
    { store: rt.store, remote: rt.state, reporter: rt.reporter },
    {
      goalId,
      repoRoot: rt.repoRoot,
      save: rt.inputs.dryRun ? null : save,
      saveOnFailure: true,
      ...(saveIf === undefined ? {} : { saveIf }),
    },
    async (pulled) => {
      rt.reporter.info(`goal ${goalId} from ${branch} at ${pulled.commit.slice(0, 12)}`);
      return prepare(pulled.goal);
    },
    ({ prepared }) => act(prepared),
  );
  if (step.kind === 'not_shared') throw notOnStateBranch(rt, goalId, step.missing);
  if (save !== null) reportSaved(rt, goalId, step.saved);
  return step.value;
}

/** `onGoalPrepared` with nothing to prepare; a null `save` only reads. */
export function onGoal<T>(
  rt: ActionRuntime,
  goalId: string,
  save: string | null,
  act: (goal: GoalRecord) => Promise<T>,
): Promise<T> {
  return onGoalPrepared(rt, goalId, save, async (goal) => goal, act);
}

/** `onGoalPrepared` with the goal's agent: a missing or unknown agent is refused before anything runs. */
export function onGoalWithAgent<T>(
  rt: ActionRuntime,
  goalId: string,
  save: string | null,
  act: (prepared: PreparedAgent) => Promise<T>,
): Promise<T> {
  const prepare = async (goal: GoalRecord) =>
    prepareAgent(rt.app, goal.repo.root, await agentChoice(rt), goal.options.agent);
  return onGoalPrepared(rt, goalId, save, prepare, act);
}

/** Says where a step's save went (`savedNotice`): the state commit, or (a dry run) nowhere. */
export function reportSaved(rt: ActionRuntime, goalId: string, commit: string | null): void {
  tell(rt, savedNotice(goalId, commit, rt.inputs.dryRun));
}

/** A shared step's notice in the Action's words, at the level the runtime gave it. */
function tell(rt: ActionRuntime, notice: SharedStepNotice | null): void {
  if (notice === null) return;
  rt.reporter[notice.level](wordNotice(notice, rt.inputs.stateBranch));
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
  tell(rt, proofNotice(goalId, digestValid));
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
