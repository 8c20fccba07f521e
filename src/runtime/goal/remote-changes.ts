import { addBudget } from '../budget/ops.js';
import { StateError } from '../errors.js';
import type { BudgetAddRequest } from '../requests.js';
import type { RemoteGoalFiles, RemoteStateStore } from '../state/remote.js';
import { parseVersioned } from '../state/versioned.js';
import { applyLifecycle } from './actions.js';
import { failureVersioned } from './failure.js';
import { ALLOWED_FROM } from './lifecycle.js';
import { reconcileGoal } from './reconcile.js';
import { type BudgetLimits, type GoalStatus, goalRecordVersioned, TERMINAL_STATUSES } from './schema.js';
import type { GoalStore } from './store.js';

export type RemoteStop = 'pause' | 'cancel';

/** What a run reads the remote with: `read` (the whole goal, merged) when the store has it. */
export type RemoteReader = Pick<RemoteStateStore, 'peek'> & Partial<Pick<RemoteStateStore, 'read'>>;

/**
 * A run executing from a local copy of its goal (an Action runner) does not see what the bot or
 * another run writes to the state branch meanwhile, and its final push would put the goal back
 * to what it had. This reads the goal on the remote and brings two kinds of change into the local
 * copy, each recorded as an event like the local command would be:
 * - a budget that was extended there (`budget-add`): the local limits are raised by as much, so
 *   the controller, which reads the budget before each dispatch, can use it;
 * - a pause or cancel: the same action is applied, so the controller watching the local goal stops
 *   and the push keeps the stop. A stop the local goal can no longer take (it finished) is left
 *   alone: the run's result stands.
 */
export async function adoptRemoteChanges(
  store: GoalStore,
  remote: RemoteReader,
  goalId: string,
): Promise<{ stop: RemoteStop | null; budgetAdded: boolean }> {
  if (remote.read !== undefined) return adoptMerged(store, remote.read(goalId), goalId);
  const text = await remote.peek(goalId, 'goal.json');
  if (text === null) return { stop: null, budgetAdded: false };
  const theirs = parseVersioned(goalRecordVersioned, parseJson(text, goalId), `state branch: goal ${goalId}`);
  const ours = await store.read(goalId);
  const more = budgetIncrease(ours.budget, theirs.budget);
  const budgetAdded = more !== null && !TERMINAL_STATUSES.includes(ours.status);
  if (budgetAdded && more) await addBudget(store, goalId, more);

  const action = stopToTake(ours.status, theirs.status);
  if (action === null) return { stop: null, budgetAdded };
  const reason = action === 'cancel' ? await cancelReason(remote, goalId) : '';
  await applyLifecycle(store, goalId, action, reason);
  return { stop: action, budgetAdded };
}

/** The pause or cancel on the remote that the local goal, `ours`, can still take, or null. */
function stopToTake(ours: GoalStatus, theirs: GoalStatus): RemoteStop | null {
  const action: RemoteStop | null = theirs === 'paused' ? 'pause' : theirs === 'cancelled' ? 'cancel' : null;
  if (action === null || ours === theirs || !ALLOWED_FROM[action].includes(ours)) return null;
  return action;
}

/**
 * The stop `adoptRemoteChanges` would bring in, read and not applied: the status a pause or cancel
 * written on the state branch would give the local goal, or null. For a dry run, which writes
 * nothing (the state branch's own goal.json says the status, whichever way the goal is merged).
 */
export async function peekRemoteStop(
  store: GoalStore,
  remote: Pick<RemoteReader, 'peek'>,
  goalId: string,
): Promise<GoalStatus | null> {
  const text = await remote.peek(goalId, 'goal.json');
  if (text === null) return null;
  const theirs = parseVersioned(goalRecordVersioned, parseJson(text, goalId), `state branch: goal ${goalId}`);
  const ours = await store.read(goalId);
  return stopToTake(ours.status, theirs.status) === null ? null : theirs.status;
}

/**
 * The merged way (reconcileGoal): the remote's own events come in as they were written, so the
 * history holds each decision once, with who made it and why.
 */
async function adoptMerged(
  store: GoalStore,
  reading: Promise<RemoteGoalFiles | null>,
  goalId: string,
): Promise<{ stop: RemoteStop | null; budgetAdded: boolean }> {
  const theirs = await reading;
  if (theirs === null) return { stop: null, budgetAdded: false };
  const { adopted } = await reconcileGoal(store, goalId, theirs);
  const status = (await store.read(goalId)).status;
  const stop: RemoteStop | null =
    adopted.includes('cancel') && status === 'cancelled'
      ? 'cancel'
      : adopted.includes('pause') && status === 'paused'
        ? 'pause'
        : null;
  return { stop, budgetAdded: adopted.includes('budget-add') };
}

/** What budget-add would add to `ours` to reach `theirs`, limit by limit, or null if nothing. */
export function budgetIncrease(ours: BudgetLimits, theirs: BudgetLimits): BudgetAddRequest | null {
  const more = (mine: number | null, other: number | null) =>
    mine !== null && other !== null && other > mine ? other - mine : undefined;
  const add: BudgetAddRequest = {};
  const time = more(ours.timeMs, theirs.timeMs);
  const tokens = more(ours.tokens, theirs.tokens);
  const usd = more(ours.usd, theirs.usd);
  if (time !== undefined) add.time = time;
  if (tokens !== undefined) add.tokens = tokens;
  if (usd !== undefined) add.usd = Math.round(usd * 1_000_000) / 1_000_000;
  return Object.keys(add).length > 0 ? add : null;
}

async function cancelReason(remote: Pick<RemoteStateStore, 'peek'>, goalId: string): Promise<string> {
  const text = await remote.peek(goalId, 'failure.json');
  if (text === null) return 'cancelled on the state branch';
  try {
    return parseVersioned(failureVersioned, JSON.parse(text), 'failure.json').reason;
  } catch {
    return 'cancelled on the state branch';
  }
}

function parseJson(text: string, goalId: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StateError(`state branch: goal.json of goal ${goalId} is not valid JSON.`, { cause: error });
  }
}

export interface RemoteChangesWatch {
  /** Stops polling; resolves once a check in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Checks the remote every `pollMs` while a run executes (see adoptRemoteChanges). A failed check is
 * reported once through `warn` and retried at the next tick: the run goes on either way.
 */
export function watchRemoteChanges(
  store: GoalStore,
  remote: RemoteReader,
  goalId: string,
  options: { pollMs: number; warn(message: string): void; onStop?(action: RemoteStop): void },
): RemoteChangesWatch {
  let inFlight: Promise<void> | null = null;
  let warned = false;
  let stopped = false;
  const tick = () => {
    // One check at a time: a slow remote skips ticks rather than piling them up.
    if (inFlight !== null) return;
    inFlight = (async () => {
      try {
        const { stop } = await adoptRemoteChanges(store, remote, goalId);
        if (stop !== null) options.onStop?.(stop);
      } catch (error) {
        if (!warned) {
          const why = error instanceof Error ? error.message : String(error);
          options.warn(`checking the state branch for a pause or cancel failed (will retry): ${why}`);
        }
        warned = true;
      } finally {
        inFlight = null;
      }
    })();
  };
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, options.pollMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
