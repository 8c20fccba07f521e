import { BusyError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { EventType } from '../events/schema.js';
import { rebuildProof } from '../proof/assemble.js';
import type { Proof } from '../proof/schema.js';
import { controlledElsewhere, mayBeControlled } from './controller-hold.js';
import { writeFailure } from './failure.js';
import { isOrphaned, type LifecycleAction, nextStatus } from './lifecycle.js';
import { settleRecordedMerge } from './recorded-merge.js';
import { goalsIn, type RepoScope } from './repo-scope.js';
import type { GoalRecord } from './schema.js';
import type { GoalStore } from './store.js';

const EVENT_FOR: Record<LifecycleAction, EventType> = {
  pause: 'goal_paused',
  resume: 'goal_resumed',
  cancel: 'goal_cancelled',
  accept: 'goal_accepted',
  reject: 'goal_rejected',
};

export interface LifecycleResult {
  goal: GoalRecord;
  previous: GoalRecord['status'];
  proof: Proof;
}

/**
 * How long a controller's heartbeat holds (it is refreshed about every 10 seconds): a controller
 * whose recorded heartbeat is older is gone, whatever host recorded it.
 */
export const CONTROLLER_LEASE_MS = 60_000;

/**
 * Whether the goal's controller still runs: its recorded heartbeat is within the lease and, on this
 * host, its process is alive. A controller on another host cannot be probed, so its heartbeat
 * decides alone (a container restarted under a new hostname leaves one that goes stale). A record
 * that says otherwise still loses to another live omk process of this host holding the goal
 * (`controller-hold.ts`): an agent can write goal.json, not that.
 */
export function controllerAlive(store: Pick<GoalStore, 'deps'>, goal: GoalRecord): boolean {
  if (recordedControllerAlive(store, goal)) return true;
  return mayBeControlled(goal) && controlledElsewhere(store, goal.id) !== null;
}

function recordedControllerAlive(store: Pick<GoalStore, 'deps'>, goal: GoalRecord): boolean {
  const controller = goal.controller;
  if (!controller) return false;
  if (heartbeatExpired(controller.heartbeatAt, store.deps.clock.nowMs())) return false;
  if (controller.host !== store.deps.host.hostname) return true;
  return store.deps.host.isAlive(controller.pid);
}

/** An unreadable heartbeat counts as expired: nothing vouches for the controller. */
export function heartbeatExpired(heartbeatAt: string, nowMs: number): boolean {
  const beat = Date.parse(heartbeatAt);
  return !Number.isFinite(beat) || nowMs - beat > CONTROLLER_LEASE_MS;
}

/**
 * pause, resume, cancel, accept, reject: checked against the lifecycle table under the goal lock,
 * recorded as an event, reflected in the proof's delivery section. `by` names who asked, where the
 * front door knows it (a forge login): recorded on the event, and on the proof's delivery record.
 */
export async function applyLifecycle(
  store: GoalStore,
  goalId: string,
  action: LifecycleAction,
  text = '',
  by?: string,
): Promise<LifecycleResult> {
  const paths = store.paths(goalId);
  const events = new EventLog(store.files, paths.events, store.deps.clock, store.deps.host);
  return store.withGoalLock(goalId, async () => {
    const goal = await store.read(goalId);
    if (action === 'resume') refuseControlledElsewhere(store, goal);
    const previous = goal.status;
    const next = nextStatus(goal, action, { controllerAlive: controllerAlive(store, goal) });
    const data: Record<string, unknown> = { from: previous, to: next };
    if (action === 'accept') data.summary = text;
    if (action === 'reject' || action === 'cancel') data.reason = text;
    if (by !== undefined) data.by = by;
    await events.append([{ type: EVENT_FOR[action], data }]);
    if (action === 'cancel') {
      await writeFailure(store.files, paths.failure, {
        status: 'cancelled',
        at: store.deps.clock.nowIso(),
        reason: text || 'cancelled by a user',
        humanDecisions: [],
      });
    }
    const updated = await store.write({
      ...goal,
      status: next,
      // Pausing an interrupted goal keeps where it was headed, so resume goes back there.
      resumeTo:
        action === 'pause'
          ? previous === 'interrupted'
            ? (goal.resumeTo ?? 'running')
            : previous
          : action === 'resume'
            ? null
            : goal.resumeTo,
      controller: action === 'resume' || action === 'cancel' ? null : goal.controller,
    });
    const proof = await rebuildProof(store, updated, events);
    return { goal: updated, previous, proof };
  });
}

/**
 * A resume never takes a goal another live omk process runs (it holds the goal's directory),
 * whatever its goal.json says: an agent of that run can write any status or controller there.
 */
function refuseControlledElsewhere(store: GoalStore, goal: GoalRecord): void {
  const pid = controlledElsewhere(store, goal.id);
  if (pid === null) return;
  throw new BusyError(`Goal ${goal.id} is being run by omk process ${pid}; it was not resumed.`, {
    hint: [
      'Its goal.json may say otherwise (an agent of that run can write it). Follow it with ',
      { step: 'status', goalId: goal.id },
      ', or stop that process first.',
    ],
  });
}

/** Whether `resume --auto` would take `goal` up: interrupted, or its controller died, and no live omk runs it. */
export function resumable(store: GoalStore, goal: GoalRecord): boolean {
  if (mayBeControlled(goal) && controlledElsewhere(store, goal.id) !== null) return false;
  return goal.status === 'interrupted' || isOrphaned(goal, { controllerAlive: controllerAlive(store, goal) });
}

/**
 * Marks goals whose controller died as interrupted and resumes them (`resume --auto`): the goals of
 * `scope`'s repository (every goal with a null scope).
 */
export async function resumeOrphans(store: GoalStore, scope: RepoScope | null): Promise<LifecycleResult[]> {
  const results: LifecycleResult[] = [];
  for (const listed of goalsIn(await store.list(), scope)) {
    // A goal another live omk runs is no orphan, whatever its goal.json says.
    if (mayBeControlled(listed) && controlledElsewhere(store, listed.id) !== null) continue;
    // A goal whose merge its events record is merged: nothing to resume.
    const { goal } = await settleRecordedMerge(store, listed.id);
    const orphaned = isOrphaned(goal, { controllerAlive: controllerAlive(store, goal) });
    if (!orphaned && goal.status !== 'interrupted') continue;
    if (orphaned) {
      await store.withGoalLock(goal.id, async () => {
        const fresh = await store.read(goal.id);
        await store.eventLog(goal.id).append([
          {
            type: 'goal_paused',
            data: { from: fresh.status, to: 'interrupted', reason: 'controller process is gone' },
          },
        ]);
        await store.write({ ...fresh, status: 'interrupted', resumeTo: fresh.status, controller: null });
      });
    }
    results.push(await applyLifecycle(store, goal.id, 'resume', 'resumed automatically'));
  }
  return results;
}

/**
 * Points a goal pulled from the state branch at this machine's checkout of the repository (matrix
 * runners check it out at their own path). Recorded as a decision; the work itself is unchanged.
 */
export async function relocateGoal(store: GoalStore, goalId: string, repoRoot: string): Promise<GoalRecord> {
  return store.withGoalLock(goalId, async () => {
    const goal = await store.read(goalId);
    if (goal.repo.root === repoRoot) return goal;
    return store.write({ ...goal, repo: { ...goal.repo, root: repoRoot } });
  });
}

/**
 * Whether a resume should start a controller: a running goal always gets one (it settles even with
 * nothing left to run); a not_ready goal only while slices are open (after budget-add), while its
 * done slices did not merge (a conflict, which a human may have resolved on the integration branch
 * since: the integration runs again), or when its proof is ready now (a budget it overspent was
 * raised: the goal is settled and delivered). A front door with no separate `execute` command also
 * starts a goal paused before its run began.
 */
export function resumeContinuesExecution(
  result: LifecycleResult,
  options: { startPlanned?: boolean } = {},
): boolean {
  const { status } = result.goal;
  if (status === 'running' || (options.startPlanned === true && status === 'planned')) return true;
  // Until ready, the controller reopens the slices whose checks do not hold.
  if (result.goal.options.untilReady && (status === 'not_ready' || status === 'failed')) return true;
  return (
    status === 'not_ready' &&
    (result.proof.slices.some((s) => s.status === 'pending' || s.status === 'running') ||
      result.proof.knownGaps.some((gap) => gap.code === 'integration_conflict') ||
      // What kept it from ready is gone (an overspent budget raised since): it is settled again.
      result.proof.status === 'ready')
  );
}
