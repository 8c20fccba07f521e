import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { Reporter } from '../ports.js';
import type { RemoteStateStore } from '../state/remote.js';
import { pullSharedGoal } from './shared-goal.js';

/** Where a step on a shared goal reads and writes it: the local store and the shared state. */
export interface SharedStepPorts {
  store: GoalStore;
  remote: RemoteStateStore;
  reporter: Reporter;
}

/** One step on a goal that lives on the shared state (the state branch). */
export interface SharedStepRequest<T> {
  goalId: string;
  /** Points a goal another machine created at this checkout. */
  repoRoot?: string;
  /** The message the goal is pushed with after the act; null: nothing is pushed (a read, a dry run). */
  save: string | null;
  /**
   * Pushes after a failed act too (with ` (failed)` after the message), so what it gathered is
   * kept; the act's error is still the one thrown, and a push that fails then is a warning.
   */
  saveOnFailure?: boolean;
  /** Pushes only when this holds of the act's value (a merge check that evaluated nothing changed nothing). */
  saveIf?: (value: T) => boolean;
  /**
   * Wraps the pull and the push, each on its own (not the act): a host that serialises work on a
   * goal holds its lock there while a long act runs unlocked.
   */
  exclusive?: <R>(phase: 'pull' | 'push', fn: () => Promise<R>) => Promise<R>;
}

/** What a step on a shared goal came to: done, or refused because the goal is not there. */
export type SharedStepOutcome<T> =
  | {
      kind: 'done';
      value: T;
      /** The state commit the goal was pulled from. */
      pulled: string;
      /** The state commit pushed, or null when nothing was pushed. */
      saved: string | null;
    }
  | { kind: 'not_shared'; goalId: string; missing: 'branch' | 'goal' };

/** The goal a step acts on, as pulled. */
export interface SharedGoalPull {
  goal: GoalRecord;
  /** The state commit it was pulled from. */
  commit: string;
}

/** The pulled goal and what the step's preparation made of it. */
export interface PulledGoal<P> extends SharedGoalPull {
  prepared: P;
}

/**
 * Pull the goal, act, push the state: the one shape of every step a GitHub host takes on a goal
 * it keeps on the state branch. The push is the state branch's merge-safe write (the remote's copy
 * is merged into this one first), so a step never replaces what another writer recorded.
 */
export function withSharedGoal<T>(
  ports: SharedStepPorts,
  request: SharedStepRequest<T>,
  act: (pulled: PulledGoal<undefined>) => Promise<T>,
): Promise<SharedStepOutcome<T>> {
  return withPreparedSharedGoal(ports, request, async () => undefined, act);
}

/**
 * `withSharedGoal` with a step before the act (the agent resolved, the request checked against
 * the goal): its refusal pushes nothing, since nothing was done.
 */
export async function withPreparedSharedGoal<T, P>(
  ports: SharedStepPorts,
  request: SharedStepRequest<T>,
  prepare: (pulled: SharedGoalPull) => Promise<P>,
  act: (pulled: PulledGoal<P>) => Promise<T>,
): Promise<SharedStepOutcome<T>> {
  const { goalId } = request;
  const exclusive = request.exclusive ?? ((_phase, fn) => fn());
  const options = request.repoRoot === undefined ? {} : { repoRoot: request.repoRoot };
  const pulled = await exclusive('pull', () => pullSharedGoal(ports.store, ports.remote, goalId, options));
  if (!pulled.found) return { kind: 'not_shared', goalId, missing: pulled.missing };
  const pull = { goal: pulled.goal, commit: pulled.commit };
  const prepared = await prepare(pull);
  const message = request.save;
  let value: T;
  try {
    value = await act({ ...pull, prepared });
  } catch (error) {
    if (message !== null && request.saveOnFailure === true) {
      await exclusive('push', () => ports.remote.push(goalId, `${message} (failed)`)).catch(
        (saveError: unknown) =>
          ports.reporter.warn(
            `could not save goal ${goalId} after the failure: ${saveError instanceof Error ? saveError.message : String(saveError)}`,
          ),
      );
    }
    throw error;
  }
  const pushes = message !== null && (request.saveIf === undefined || request.saveIf(value));
  const saved = pushes ? await exclusive('push', () => ports.remote.push(goalId, message)) : null;
  return { kind: 'done', value, pulled: pulled.commit, saved };
}
