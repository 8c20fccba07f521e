/**
 * Goal directories mirrored to a shared remote (on GitHub: commits on a state branch), so the
 * Action, the bot and the CLI see one truth. Writes are compare-and-swap: a writer that loses the
 * race reloads, reapplies its goal and retries.
 */
export interface RemoteStateStore {
  /**
   * Downloads goals/<goalId>/ (or all goals when goalId is null) from the state branch into the
   * state root, replacing local copies of those goals. Returns the state commit read, or null when
   * the branch does not exist.
   */
  pull(goalId: string | null): Promise<string | null>;
  /**
   * Commits the local goals/<goalId>/ directory on top of the remote state and pushes it
   * fast-forward only; on losing a race it rebuilds on the new tip and retries, then throws
   * BusyError. Returns the pushed commit SHA. Never force-pushes.
   */
  push(goalId: string, message: string, options?: PushScope): Promise<string>;
  /**
   * Reads one file of goals/<goalId>/ at the remote's current tip without touching local state
   * (null when the branch, the goal or the file is not there): how a run that is executing learns
   * that someone paused or cancelled its goal elsewhere.
   */
  peek(goalId: string, file: string): Promise<string | null>;
}

export interface PushScope {
  /**
   * Only these paths of the goal directory (files, or directories ending in '/') are replaced from
   * local disk; the rest of the goal comes from the remote tip. Matrix runners that each own one
   * slice's result file push with this, so concurrent runners never overwrite each other.
   */
  only?: readonly string[];
}
