// The ports through which the runtime touches the world. Front doors compose adapters that fit
// their host; tests inject fakes. Nothing here is evaluated at import time.

export interface Clock {
  /** Wall-clock now, as an ISO-8601 string (persisted in events and state). */
  nowIso(): string;
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = {
  nowIso: () => new Date().toISOString(),
  nowMs: () => Date.now(),
};

/** Process facts the runtime needs without reading globals. */
export interface HostInfo {
  pid: number;
  hostname: string;
  /** Is a process with this pid alive on this host? */
  isAlive(pid: number): boolean;
}

/** Warnings and progress the runtime reports without knowing how they are shown. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export const silentReporter: Reporter = { info: () => {}, warn: () => {} };

/** What the runtime needs to know about the repository a goal works on. */
export interface RepoInfo {
  root: string;
  /** Current branch, or null when HEAD is detached. */
  branch: string | null;
  /** HEAD commit, or null in a repository without commits. */
  headSha: string | null;
}

/** The git port, as far as planning needs it (execution adds worktrees and commits). */
export interface RepoPort {
  /** The repository containing `path`; a GitError with a hint when it is not one. */
  inspect(path: string): Promise<RepoInfo>;
  /** Tracked files at HEAD, repository-relative with '/' separators, sorted. */
  listFiles(root: string): Promise<string[]>;
}
