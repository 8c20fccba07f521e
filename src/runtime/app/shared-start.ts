import type { RemoteStateStore } from '../state/remote.js';
import type { AppDeps } from './deps.js';
import { type StartOutcome, type StartRequest, startGoal } from './start.js';

/** `run` or `plan` on a host that keeps the goal on the shared state (the state branch). */
export interface SharedStartRequest extends Omit<StartRequest, 'onCreated'> {
  /** false: the goal stays on this machine (a dry run) and nothing is pushed. */
  save: boolean;
  /** Called once the goal exists and was saved (`commit`; null when not saved), before it runs. */
  onCreated?(goalId: string, commit: string | null): void;
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
}

/**
 * `startGoal` whose goal is saved to the shared state as soon as it exists, and again after it
 * ran, whatever happened: when execution throws, the evidence it gathered is pushed (a push that
 * fails then is a warning) and the execution's error is the one thrown.
 */
export async function startSharedGoal(
  deps: AppDeps,
  remote: Pick<RemoteStateStore, 'push'>,
  request: SharedStartRequest,
): Promise<SharedStartOutcome> {
  const { save, onCreated, ...start } = request;
  const saved: SharedStartSaves = { created: null, executed: null };
  let created: string | null = null;
  let started: StartOutcome;
  try {
    started = await startGoal(deps, {
      ...start,
      onCreated: async ({ goal }) => {
        if (save) saved.created = await remote.push(goal.id, `${request.mode}: create goal ${goal.id}`);
        created = goal.id;
        onCreated?.(goal.id, saved.created);
      },
    });
  } catch (error) {
    const id: string | null = created;
    if (id !== null && save) {
      await remote
        .push(id, `run: execute goal ${id} (failed)`)
        .catch((saveError: unknown) =>
          deps.reporter.warn(
            `could not save goal ${id} after the failure: ${saveError instanceof Error ? saveError.message : String(saveError)}`,
          ),
        );
    }
    throw error;
  }
  if (started.executed !== null && save) {
    const id = started.created.goal.id;
    saved.executed = await remote.push(id, `run: execute goal ${id}`);
  }
  return { ...started, saved };
}
