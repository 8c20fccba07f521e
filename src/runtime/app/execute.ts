import type { ControllerDeps } from '../controller/context.js';
import { type ExecuteResult, executeGoal } from '../controller/execute.js';
import { recordFailedGoal } from '../goal/failure.js';
import { readProof } from '../goal/queries.js';
import { adoptRemoteChanges, type RemoteStop, watchRemoteChanges } from '../goal/remote-changes.js';
import { type GoalStatus, PROOF_STATUSES } from '../goal/schema.js';
import { type AgentChoice, type PreparedAgent, prepareAgent } from './agent.js';
import { cleanGoal } from './clean.js';
import { composeController } from './controller.js';
import { withCredentialsAway } from './credentials.js';
import { type AfterExecution, type DeliveryOptions, deliverByPolicy, NOTHING_DELIVERED } from './deliver.js';
import { type AppDeps, inPhase } from './deps.js';
import type { ReviewReplies } from './fix.js';
import { finishFixes } from './fix-finish.js';
import { refuseLeftovers } from './leftovers.js';
import { finishPlanning } from './planning.js';

/** Statuses after which a goal's worktrees are not needed until it runs again. */
const SETTLED: readonly GoalStatus[] = [...PROOF_STATUSES, 'merged', 'cancelled', 'rejected', 'accepted'];

export interface ExecuteRequest extends DeliveryOptions {
  goalId: string;
  /** The agent asked for; the goal's own and the config's default follow (see prepareAgent). */
  agent?: AgentChoice;
  /** An agent already prepared (a run refuses a bad agent before the goal exists). */
  prepared?: PreparedAgent;
  /** Retry slices up to their retries; default: as the goal was created. */
  untilReady?: boolean;
  /** Interrupts the run, resumably (SIGINT, a cancelled workflow, the app shutting down). */
  signal?: AbortSignal;
  /** After execution: deliver and merge by policy, only show that delivery, or stop. */
  after: 'deliver' | 'dry-run' | 'none';
  /** Keep the worktrees when the goal settles; default: the config's `workspace.keep`. */
  keepWorktrees?: boolean;
  /** Where a review fix this run ends is answered; absent: nowhere (the CLI's local forge). */
  replies?: ReviewReplies;
}

export interface ExecuteOutcome extends ExecuteResult, AfterExecution {}

/**
 * Execute, then deliver by policy: the one flow behind `omk goal run/execute/resume`, the Action's
 * run and execute, and the app's local runs. When the goal's truth is shared on a remote, a pause,
 * cancel or budget extension written there reaches the controller while it runs, and one last
 * look before delivery keeps a late stop from being delivered over.
 */
export async function executeAndDeliver(deps: AppDeps, request: ExecuteRequest): Promise<ExecuteOutcome> {
  const { goalId } = request;
  const goal = await deps.store.read(goalId);
  const prepared =
    request.prepared ?? (await prepareAgent(deps, goal.repo.root, request.agent ?? {}, goal.options.agent));
  await finishPlanning(deps, goal, prepared);
  const controller = await composeController(deps, goal, prepared);
  const keep = request.keepWorktrees ?? prepared.config.config.workspace.keep;
  let outcome: ExecuteOutcome;
  try {
    outcome = await executeThenDeliver(deps, controller, request, prepared);
  } catch (error) {
    // Delivery failed after the goal settled (a forge refusing a push, no token): its worktrees
    // go as after a success. The delivery's error is the one to report, not a cleanup's.
    if (!keep) await cleanSettled(deps, goalId).catch(() => undefined);
    throw error;
  }
  if (!keep) await cleanSettled(deps, goalId);
  return outcome;
}

async function executeThenDeliver(
  deps: AppDeps,
  controller: ControllerDeps,
  request: ExecuteRequest,
  prepared: PreparedAgent,
): Promise<ExecuteOutcome> {
  const { goalId } = request;
  const goal = await deps.store.read(goalId);
  const result = await runWatched(deps, controller, goalId, prepared.spec, {
    untilReady: request.untilReady ?? goal.options.untilReady,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  await refuseLeftovers(deps, goalId);
  if (result.stoppedBy !== null) {
    return { ...result, ...NOTHING_DELIVERED, notes: [{ code: 'stopped', by: result.stoppedBy }] };
  }
  if (deps.shared !== undefined) {
    const { stop } = await adoptRemoteChanges(deps.store, deps.shared.remote, goalId);
    // A stop before the delivery its policy makes is that delivery's to record (deliverByPolicy).
    const delivers = request.after === 'deliver' && goal.options.policy !== 'local';
    if (stop !== null && !delivers) {
      return { ...(await settled(deps, goalId, result)), ...NOTHING_DELIVERED, notes: [stopNote(stop)] };
    }
  }
  if (request.after === 'none') return { ...result, ...NOTHING_DELIVERED, notes: [] };
  const after = await deliverByPolicy(deps, goalId, { ...request, dryRun: request.after === 'dry-run' });
  // A review fix this run ran again (its controller died mid-fix) ends as its first run would have.
  if (request.after === 'deliver') {
    await finishFixes(deps, {
      goalId,
      delivered: after.delivery !== null,
      ...(request.replies === undefined ? {} : { replies: request.replies }),
      ...(request.base === undefined ? {} : { base: request.base }),
      ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
    });
  }
  return { ...(await settled(deps, goalId, result)), ...after };
}

/**
 * A goal that has settled keeps no worktree: they are removed as `clean` removes them, and a later
 * run makes what it needs again. Its branches stay (they hold the work; `clean` deletes them once
 * the goal is merged, cancelled or rejected). An interrupted or paused goal keeps its worktrees for
 * its resume.
 */
async function cleanSettled(deps: AppDeps, goalId: string): Promise<void> {
  const goal = await deps.store.read(goalId);
  if (!SETTLED.includes(goal.status)) return;
  await cleanGoal(deps, goalId, { branches: false });
}

/**
 * `verify` and `review`: the gates and the reviews again on the integrated tree of what is done,
 * with no agent started, and the proof settled again.
 */
export async function reverify(
  deps: AppDeps,
  goalId: string,
  choice: Pick<AgentChoice, 'sandbox'> = {},
): Promise<ExecuteResult> {
  const goal = await deps.store.read(goalId);
  // No slice is dispatched, so no agent runs; the gates run the goal's agent's change.
  const prepared = await prepareAgent(deps, goal.repo.root, choice, goal.options.agent ?? 'demo', {
    gatesOnly: true,
  });
  const controller = await composeController(deps, goal, prepared);
  return withCredentialsAway(deps, goal.repo.root, () =>
    executeGoal(controller, goalId, { untilReady: false, dispatch: false }),
  ).then(withFailureRecorded(deps));
}

/** After execution settled: a failed goal writes failure.json, as a cancelled one does. */
export function withFailureRecorded(deps: Pick<AppDeps, 'store'>) {
  return async (result: ExecuteResult): Promise<ExecuteResult> => {
    if (result.goal.status === 'failed') await recordFailedGoal(deps.store, result.goal.id);
    return result;
  };
}

async function runWatched(
  deps: AppDeps,
  controller: ControllerDeps,
  goalId: string,
  spec: string,
  options: { untilReady: boolean; signal?: AbortSignal },
): Promise<ExecuteResult> {
  const { root } = (await deps.store.read(goalId)).repo;
  const run = () =>
    inPhase(deps, `omk: executing goal ${goalId} with the ${spec} agent`, () =>
      withCredentialsAway(deps, root, () => executeGoal(controller, goalId, options)).then(
        withFailureRecorded(deps),
      ),
    );
  if (deps.shared === undefined) return run();
  // The controller watches the local goal; the remote's changes are brought into it.
  const watch = watchRemoteChanges(deps.store, deps.shared.remote, goalId, {
    pollMs: deps.shared.pollMs,
    warn: (message) => deps.reporter.warn(message),
  });
  try {
    return await run();
  } finally {
    await watch.stop();
  }
}

/** The goal and proof as they are now (delivery and a late stop change them). */
async function settled(deps: AppDeps, goalId: string, result: ExecuteResult): Promise<ExecuteResult> {
  return {
    ...result,
    goal: await deps.store.read(goalId),
    proof: (await readProof(deps.store, goalId)).proof,
  };
}

function stopNote(action: RemoteStop) {
  return { code: 'stopped_remotely', action } as const;
}
