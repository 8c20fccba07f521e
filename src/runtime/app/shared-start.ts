import { goalShow, readProof } from '../goal/queries.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import { GoalExistsError, type RemoteStateStore } from '../state/remote.js';
import { deliverByPolicy } from './deliver.js';
import type { AppDeps } from './deps.js';
import { type ExecuteOutcome, executeAndDeliver } from './execute.js';
import { finishFixes } from './fix-finish.js';
import { bringGoalBranches } from './goal-branches.js';
import { derivedGoalId, pullSharedGoal } from './shared-goal.js';
import { type StartOutcome, type StartRequest, startGoal } from './start.js';
import {
  isSiblingCell,
  readWorkflowCell,
  recordWorkflowCell,
  SiblingCellError,
  type WorkflowCell,
} from './workflow-cell.js';

/** `run` or `plan` on a host that keeps the goal on the shared state (the state branch). */
export interface SharedStartRequest extends Omit<StartRequest, 'onCreated'> {
  /** false: the goal stays on this machine (a dry run) and nothing is pushed. */
  save: boolean;
  /** Called once the goal exists and was saved (`commit`; null when not saved), before it runs. */
  onCreated?(goalId: string, commit: string | null): void;
  /**
   * The CI job instance asking (the Action), when the front door derives the goal id: recorded
   * with the goal it creates; a goal another cell of the same attempt created is refused
   * (SiblingCellError), never shared.
   */
  cell?: WorkflowCell;
}

/** The state commits a start pushed; null where nothing was pushed. */
export interface SharedStartSaves {
  /** When the goal had been created and planned, before it ran. */
  created: string | null;
  /** After it ran (a run of a testable goal). */
  executed: string | null;
}

export interface SharedStartOutcome extends StartOutcome {
  saved: SharedStartSaves;
  /**
   * True when the goal was on the shared state already (its id derived by the front door, e.g.
   * from the CI run): an earlier attempt created it, and this one continued it, or found it
   * settled, instead of creating another.
   */
  continued: boolean;
}

/** Statuses from which a run of a goal found on the shared state executes it again. */
const EXECUTES_FROM: readonly GoalStatus[] = ['planned', 'not_ready', 'running', 'interrupted'];

/**
 * `startGoal` whose goal is saved to the shared state as soon as it exists, and again after it
 * ran, whatever happened: when execution throws, the evidence it gathered is pushed (a push that
 * fails then is a warning) and the execution's error is the one thrown.
 */
export async function startSharedGoal(
  deps: AppDeps,
  remote: RemoteStateStore,
  request: SharedStartRequest,
): Promise<SharedStartOutcome> {
  const { save, onCreated, cell, ...start } = request;
  if (save && start.create.idSuffix !== undefined) {
    const root = (await deps.repo.inspect(start.create.repo)).root;
    const found = await pullSharedGoal(deps.store, remote, derivedGoalId(start.create), { repoRoot: root });
    if (found.found) {
      const holder = cell === undefined ? null : await readWorkflowCell(deps.store, found.goal.id);
      if (cell !== undefined && isSiblingCell(holder, cell))
        throw new SiblingCellError(found.goal.id, holder);
      return continueSharedGoal(deps, remote, request, found.goal);
    }
  }
  const saved: SharedStartSaves = { created: null, executed: null };
  let created: string | null = null;
  let started: StartOutcome;
  try {
    started = await startGoal(deps, {
      ...start,
      onCreated: async ({ goal }) => {
        if (save) saved.created = await pushCreated(deps, remote, goal.id, request);
        created = goal.id;
        onCreated?.(goal.id, saved.created);
      },
    });
  } catch (error) {
    const id: string | null = created;
    if (id !== null && save) {
      await saveAfterFailure(deps, remote, id);
    }
    throw error;
  }
  if (started.executed !== null && save) {
    const id = started.created.goal.id;
    saved.executed = await remote.push(id, `run: execute goal ${id}`);
  }
  return { ...started, saved, continued: false };
}

/**
 * The first push of a goal this start created. A goal whose id the front door derived may have
 * been created by another cell of the same CI run meanwhile: that push is refused, not merged.
 */
async function pushCreated(
  deps: AppDeps,
  remote: Pick<RemoteStateStore, 'push'>,
  goalId: string,
  request: SharedStartRequest,
): Promise<string> {
  if (request.cell !== undefined) await recordWorkflowCell(deps.store, goalId, request.cell);
  try {
    return await remote.push(goalId, `${request.mode}: create goal ${goalId}`, { create: true });
  } catch (error) {
    if (error instanceof GoalExistsError && request.create.idSuffix !== undefined) {
      throw new SiblingCellError(goalId, null);
    }
    throw error;
  }
}

/** A run that threw still saves what it recorded; a failed save is only a warning beside that error. */
async function saveAfterFailure(
  deps: AppDeps,
  remote: Pick<RemoteStateStore, 'push'>,
  id: string,
): Promise<void> {
  await remote
    .push(id, `run: execute goal ${id} (failed)`)
    .catch((saveError: unknown) =>
      deps.reporter.warn(
        `could not save goal ${id} after the failure: ${saveError instanceof Error ? saveError.message : String(saveError)}`,
      ),
    );
}

/**
 * The request's goal was on the shared state already (a rerun of the CI run that created it, after
 * that one was killed): `plan` reports it; `run` executes it again if it is not finished, delivers
 * it if it is ready and otherwise reports it as it is (a pause or a cancel recorded there stands).
 * The state is pushed after a run, whatever happened.
 */
async function continueSharedGoal(
  deps: AppDeps,
  remote: Pick<RemoteStateStore, 'push'>,
  request: SharedStartRequest,
  goal: GoalRecord,
): Promise<SharedStartOutcome> {
  const id = goal.id;
  const saved: SharedStartSaves = { created: null, executed: null };
  const executes =
    EXECUTES_FROM.includes(goal.status) || (goal.status === 'failed' && goal.options.untilReady);
  const delivers = goal.status === 'ready' && goal.options.policy !== 'local';
  const acts = request.mode === 'run' && (executes || delivers);
  deps.reporter.info(
    `goal ${id} is on the state branch already (${goal.status}), from an earlier attempt of this run: ${acts ? 'continuing it' : 'not started again'}`,
  );
  let executed: ExecuteOutcome | null = null;
  if (acts) {
    try {
      // The killed attempt's runner is gone, and with it the branches of the slices it finished:
      // a `run` publishes none, it saved them with the goal (delivery/kept-bundle.ts). Nothing to
      // fetch: what delivery pushed was saved as well.
      await bringGoalBranches(deps, id);
      executed = executes
        ? await executeAndDeliver(deps, {
            after: 'deliver',
            ...request.execute,
            goalId: id,
            ...(request.agent === undefined ? {} : { agent: request.agent }),
          })
        : await deliverReady(deps, id, request);
    } catch (error) {
      await saveAfterFailure(deps, remote, id);
      throw error;
    }
    saved.executed = await remote.push(id, `run: execute goal ${id}`);
  }
  const { graph } = await goalShow(deps.store, id);
  const { proof } = await readProof(deps.store, id);
  const now = await deps.store.read(id);
  // Planned by the run that was killed: this one does not plan, so it has no planner reason to show.
  return {
    created: { goal: now, graph, proof, plannerWhy: null, gates: null },
    executed,
    saved,
    continued: true,
  };
}

/** A goal that was ready when its run was killed: delivered (and merged) by its policies. */
async function deliverReady(
  deps: AppDeps,
  goalId: string,
  request: SharedStartRequest,
): Promise<ExecuteOutcome> {
  // Only a saving start continues a goal, so this is never a dry run.
  const after = await deliverByPolicy(deps, goalId, { ...request.execute, dryRun: false });
  // A review fix whose run was killed after it settled the goal ends here, answered as it would have been.
  await finishFixes(deps, {
    goalId,
    delivered: after.delivery !== null,
    ...(request.execute?.replies === undefined ? {} : { replies: request.execute.replies }),
    ...(request.execute?.base === undefined ? {} : { base: request.execute.base }),
    ...(request.execute?.fallbackBase === undefined ? {} : { fallbackBase: request.execute.fallbackBase }),
  });
  const goal = await deps.store.read(goalId);
  const { proof } = await readProof(deps.store, goalId);
  return { goal, proof, stoppedBy: null, ...after };
}
