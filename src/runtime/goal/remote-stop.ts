import { StateError } from '../errors.js';
import type { RemoteStateStore } from '../state/remote.js';
import { parseVersioned } from '../state/versioned.js';
import { applyLifecycle } from './actions.js';
import { failureVersioned } from './failure.js';
import { ALLOWED_FROM } from './lifecycle.js';
import { goalRecordVersioned } from './schema.js';
import type { GoalStore } from './store.js';

export type RemoteStop = 'pause' | 'cancel';

/**
 * A run executing from a local copy of its goal (an Action runner) does not see a pause or cancel
 * written to the state branch by the bot or another run; its final push would then put the goal
 * back to what it had. This reads the goal on the remote and, when it was paused or cancelled
 * there, applies the same action to the local copy (recorded as an event, like any pause), so
 * the controller watching the local goal stops and the push keeps the stop. Returns the action
 * applied, or null. A stop the local goal can no longer take (it finished) is left alone: the
 * run's result stands.
 */
export async function adoptRemoteStop(
  store: GoalStore,
  remote: Pick<RemoteStateStore, 'peek'>,
  goalId: string,
): Promise<RemoteStop | null> {
  const text = await remote.peek(goalId, 'goal.json');
  if (text === null) return null;
  const theirs = parseVersioned(goalRecordVersioned, parseJson(text, goalId), `state branch: goal ${goalId}`);
  const action: RemoteStop | null =
    theirs.status === 'paused' ? 'pause' : theirs.status === 'cancelled' ? 'cancel' : null;
  if (action === null) return null;
  const ours = await store.read(goalId);
  if (ours.status === theirs.status || !ALLOWED_FROM[action].includes(ours.status)) return null;
  const reason = action === 'cancel' ? await cancelReason(remote, goalId) : '';
  await applyLifecycle(store, goalId, action, reason);
  return action;
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

export interface RemoteStopWatch {
  /** Stops polling; resolves once a check in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Checks the remote every `pollMs` while a run executes (see adoptRemoteStop). A failed check is
 * reported once through `warn` and retried at the next tick: the run goes on either way.
 */
export function watchRemoteStops(
  store: GoalStore,
  remote: Pick<RemoteStateStore, 'peek'>,
  goalId: string,
  options: { pollMs: number; warn(message: string): void; onStop?(action: RemoteStop): void },
): RemoteStopWatch {
  let inFlight: Promise<void> | null = null;
  let warned = false;
  let stopped = false;
  const tick = () => {
    // One check at a time: a slow remote skips ticks rather than piling them up.
    if (inFlight !== null) return;
    inFlight = (async () => {
      try {
        const action = await adoptRemoteStop(store, remote, goalId);
        if (action !== null) options.onStop?.(action);
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
