import { type ExecuteResult, executeGoal } from '../controller/execute.js';
import type { FanOutDeps, SliceRunResult } from '../controller/execute-slice.js';
import { executeSlice, foldSliceResults } from '../controller/execute-slice.js';
import { sliceOwnedPaths } from '../controller/slice-result.js';
import { restoreAwaitedBranches } from '../delivery/kept-bundle.js';
import { type RemoteStop, watchRemoteChanges } from '../goal/remote-changes.js';
import type { PreparedAgent } from './agent.js';
import { composeController } from './controller.js';
import { withCredentialsAway } from './credentials.js';
import { type AfterExecution, type DeliveryOptions, deliverByPolicy, NOTHING_DELIVERED } from './deliver.js';
import { type AppDeps, inPhase, type SharedState } from './deps.js';
import { withFailureRecorded } from './execute.js';
import { workflowDelivery, workflowStepHas } from './workflow-steps.js';

/** A host that runs a goal's slices on several machines shares their branches through a remote. */
export interface FanOutHost extends SharedState {
  /** Makes the goal's slice branches from other machines available here (git fetch). */
  fetchBranches(goalId: string): Promise<void>;
  /** Publishes a finished slice's branch so the other machines can build on it (git push). */
  publishBranch(branch: string, sha: string, lease?: string): Promise<void>;
}

async function fanOutController(
  deps: AppDeps,
  host: FanOutHost,
  goalId: string,
  prepared: PreparedAgent,
): Promise<FanOutDeps> {
  const controller = await composeController(deps, await deps.store.read(goalId), prepared);
  return {
    ...controller,
    fetchBranches: () => host.fetchBranches(goalId),
    publishBranch: (branch, sha, lease) => host.publishBranch(branch, sha, lease),
  };
}

export interface SliceJobOutcome extends SliceRunResult {
  /** A pause or cancel written to the remote while the slice ran (it stays pending). */
  stoppedBy: RemoteStop | null;
  /** The goal-directory paths this run wrote and shares alone; none when nothing ran. */
  owned: readonly string[];
}

/**
 * One slice of a goal on this machine, as a matrix job runs it: it builds on the slices other
 * machines finished, and a pause or cancel on the remote stops it (the slice stays pending).
 */
export async function executeOneSlice(
  deps: AppDeps,
  host: FanOutHost,
  request: { goalId: string; slice: string; prepared: PreparedAgent; signal?: AbortSignal },
): Promise<SliceJobOutcome> {
  const { goalId, slice } = request;
  const controller = await fanOutController(deps, host, goalId, request.prepared);
  const goal = await deps.store.read(goalId);
  const interrupt = new AbortController();
  const onAbort = () => interrupt.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  let stoppedBy: RemoteStop | null = null;
  const watch = watchRemoteChanges(deps.store, host.remote, goalId, {
    pollMs: host.pollMs,
    warn: (message) => deps.reporter.warn(message),
    onStop: (action) => {
      stoppedBy = action;
      interrupt.abort();
    },
  });
  try {
    const run = await inPhase(deps, `omk: slice ${slice} of goal ${goalId}`, () =>
      withCredentialsAway(deps, goal.repo.root, () =>
        executeSlice(controller, goalId, slice, {
          untilReady: goal.options.untilReady,
          signal: interrupt.signal,
        }),
      ),
    );
    return { ...run, stoppedBy, owned: run.outcome === 'already_done' ? [] : sliceOwnedPaths(slice) };
  } finally {
    await watch.stop();
    request.signal?.removeEventListener('abort', onAbort);
  }
}

export interface IntegrateOutcome extends AfterExecution {
  folded: number;
  result: ExecuteResult;
}

/**
 * Folds every slice job's result into the goal, merges the done slices into the integration
 * branch, reruns the gates and reviews there and settles the proof. `integrate` first runs any
 * slice still pending itself, repairs a merged tree that fails where the slices passed (an
 * until-ready goal: the integration-fix task, within attempts and budget) and reruns in place the
 * done slices whose oracle does not hold there (within their round), then delivers by policy
 * (`workflowDelivery`); `verify` and `review` run no agent.
 */
export async function integrateSlices(
  deps: AppDeps,
  host: FanOutHost,
  request: DeliveryOptions & {
    goalId: string;
    prepared: PreparedAgent;
    step: 'integrate' | 'verify' | 'review';
    dryRun: boolean;
  },
): Promise<IntegrateOutcome> {
  const { goalId, step, dryRun, prepared, ...delivery } = request;
  const dispatch = workflowStepHas(step, 'runsPending');
  const controller = await fanOutController(deps, host, goalId, prepared);
  await controller.fetchBranches();
  const folded = await foldSliceResults(controller, goalId);
  // A slice branch kept until the goal is accepted was saved with the goal, not published.
  if (deps.keptBundles !== undefined) {
    await restoreAwaitedBranches({ store: deps.store, bundles: deps.keptBundles }, goalId, {
      slicesOnly: true,
    });
  }
  const goal = await deps.store.read(goalId);
  // An until-ready goal's integrate step repairs a merged tree that fails where the slices passed,
  // and reruns here the done slices whose oracle does not hold on the integrated tree (within
  // their round), as the local controller does; verify and review only report.
  const untilReady = dispatch && goal.options.untilReady;
  const result = await inPhase(deps, `omk: integrating goal ${goalId}`, () =>
    withCredentialsAway(deps, goal.repo.root, () =>
      executeGoal(controller, goalId, {
        untilReady,
        dispatch,
        repair: untilReady,
        reopenSettled: false,
      }),
    ).then(withFailureRecorded(deps)),
  );
  if (workflowDelivery(step, dryRun) !== 'deliver')
    return { folded, result, ...NOTHING_DELIVERED, notes: [] };
  return { folded, result, ...(await deliverByPolicy(deps, goalId, delivery)) };
}
