import { BusyError } from '../errors.js';

/**
 * Goal directories mirrored to a shared remote (on GitHub: commits on a state branch), so the
 * Action, the bot and the CLI see one truth. Writes are compare-and-swap: a writer that loses the
 * race reloads, reapplies its goal and retries.
 */
export interface RemoteStateStore {
  /**
   * Downloads goals/<goalId>/ (or all goals when goalId is null) from the state branch into the
   * state root, replacing local copies of those goals. Returns the state commit read and the goals
   * it wrote, or null when the branch does not exist.
   */
  pull(goalId: string | null): Promise<PulledState | null>;
  /**
   * Commits the local goals/<goalId>/ directory on top of the remote state and pushes it
   * fast-forward only (compare-and-swap on the tip it read). An unscoped push first merges the
   * remote's copy of the goal into the local one (the GoalReconciler it was composed with); on
   * losing a race it reads the new tip, merges again and rebuilds on it, up to a bound, then throws BusyError. Returns the
   * pushed commit SHA. Never force-pushes: every pushed commit descends from the state history.
   */
  push(goalId: string, message: string, options?: PushScope): Promise<string>;
  /**
   * Reads one file of goals/<goalId>/ at the remote's current tip without touching local state
   * (null when the branch, the goal or the file is not there): how a run that is executing learns
   * that someone paused or cancelled its goal elsewhere.
   */
  peek(goalId: string, file: string): Promise<string | null>;
  /**
   * The files of goals/<goalId>/ at the remote's current tip, by goal-relative path, without
   * touching local state (null when the branch or the goal is not there).
   */
  read(goalId: string): Promise<RemoteGoalFiles | null>;
}

/** What a pull read: the state commit, and the ids of the goals it brought into the state root. */
export interface PulledState {
  commit: string;
  goals: readonly string[];
}

/** A goal's files as the remote has them: goal-relative path to content. */
export type RemoteGoalFiles = ReadonlyMap<string, Uint8Array>;

export interface PushScope {
  /**
   * Only these paths of the goal directory (files, or directories ending in '/') are replaced from
   * local disk; the rest of the goal comes from the remote tip. Matrix runners that each own one
   * slice's result file push with this, so concurrent runners never overwrite each other.
   */
  only?: readonly string[];
  /**
   * The push creates the goal: when the tip it builds on has the goal already (another writer
   * created it since this one looked), nothing is pushed and it throws GoalExistsError.
   */
  create?: boolean;
}

/** A creating push found the goal on the shared state already: someone else created it first. */
export class GoalExistsError extends BusyError {
  readonly goalId: string;

  constructor(goalId: string, where: string) {
    super(`Goal ${goalId} is on ${where} already: another writer created it first.`);
    this.goalId = goalId;
  }
}

/**
 * Merges the remote's copy of a goal (its files at the tip a push builds on) into the local goal
 * before the push, so the push replaces nothing another writer recorded (reconcileGoal).
 */
export type GoalReconciler = (goalId: string, theirs: RemoteGoalFiles) => Promise<void>;
