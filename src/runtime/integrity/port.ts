// What omk checks around every agent and gate run, whatever confines them: the places outside the
// slice's worktree an agent could write to make omk (or the user's own git) run its code or send
// the token elsewhere, processes the agent left behind, and links out of the worktree. The runtime
// decides what a change means (integrity/findings.ts); an adapter does the filesystem work.

/** What one watch covers. */
export interface IntegrityScope {
  /** The goal's repository; its shared git directory (config, hooks, info) is found from here. */
  repoRoot: string;
  /** The slice's worktree: what the agent may change. */
  worktree: string;
  /** The HOME omk runs with (its ~/.gitconfig and XDG git config), or null when it has none. */
  home: string | null;
  /**
   * Worktrees omk itself moves while this one runs (the goal's other slices, under this folder):
   * their HEADs are not compared. Null: every other worktree is compared.
   */
  ownWorktreesUnder: string | null;
}

/** One thing outside the worktree that differs from the snapshot, named without machine paths. */
export interface IntegrityChange {
  /** e.g. `.git/config`, `.git/hooks/post-commit`, `~/.gitconfig`, `HEAD of worktree main`. */
  what: string;
  change: 'added' | 'changed' | 'removed';
  /** Put back as it was in the snapshot (config, hooks, info); false when it cannot be. */
  restored: boolean;
}

/**
 * Every path under the state root (relative, `/`-separated) with what a stat tells of it: `dir`
 * for a directory, else kind, device, inode, size and times, so any write, rename or removal
 * changes it (`integrity/state-root.ts` compares two of them).
 */
export type StateTree = Map<string, string>;

/** A snapshot taken before a run; `check` compares, restores what it can and lists the changes. */
export interface IntegrityWatch {
  check(): Promise<IntegrityChange[]>;
}

export interface StrayProcess {
  /** Its pid (ended by a sandbox: as the sandbox's pid namespace numbered it). */
  pid: number;
  /** Its command line, shortened; never a path outside what the process itself shows. */
  command: string;
  /** Whether its working directory was inside the worktree when it was seen; absent: not known. */
  inWorktree?: boolean;
  /** `sandbox`: the sandbox's pid namespace ended it when the run ended (else omk, or its subreaper). */
  endedBy?: 'sandbox';
  /** Not a process: the sandbox's report of what the run left did not complete (pid 0). */
  unreported?: true;
  /** The working directory of the run that left it, as the caller spelled its places (endLeftovers). */
  ranIn?: string;
}

/** Processes still running in a worktree after its agent ended, ended by the scan. */
export type StrayScan =
  | { checked: true; killed: StrayProcess[] }
  /** This platform cannot be scanned (no /proc): say so rather than claim nothing is left. */
  | { checked: false; reason: string };

/**
 * A changed path in the worktree that is a symbolic link whose target resolves outside it, or a
 * file with more names on disk than the changed paths hold (a hard link: its other name may be a
 * file outside the worktree, whose content the commit then holds).
 */
export type EscapingLink =
  | {
      /** Repository-relative path of the link. */
      path: string;
      /** The link's text as written (what the agent pointed it at). */
      target: string;
    }
  | {
      path: string;
      /** How many names the file has on disk (`st_nlink`). */
      hardLinks: number;
    };

/** The worktree's commit and uncommitted changes (git status lines, untracked files included). */
export interface WorktreeState {
  head: string | null;
  changes: string[];
}

/** What must never change while omk runs a goal, whoever runs: the shared git directory and HOME. */
export interface IntegrityBaselineScope {
  repoRoot: string;
  home: string | null;
}

export interface IntegrityPort {
  /** Snapshots what `scope` covers; the returned watch compares against it after the run. */
  watch(scope: IntegrityScope): Promise<IntegrityWatch>;
  /**
   * Snapshots what must never change in a goal run (the shared `.git` config, hooks and info,
   * the repository's `.gitmodules`, HOME's git config), once, before its first agent or gate: each
   * `check` compares against that one snapshot (omk's own config lines aside) and restores it, so
   * what a process left earlier planted between two runs is not taken as the next run's start.
   */
  baseline(scope: IntegrityBaselineScope): Promise<IntegrityWatch>;
  /**
   * Ends the processes runs in `worktree` left (run once its agent or gates have ended): those
   * whose working directory is inside it, and those carrying the mark of an ended run omk started
   * there, wherever they went.
   */
  endStrays(worktree: string): Promise<StrayScan>;
  /**
   * Ends every process still carrying the mark of an ended run of this omk started in one of
   * `places` or below (a goal's worktrees, its directory, its repository), wherever it went:
   * before delivery. Another goal's runs in the same omk (the bot) are not its to end.
   */
  endLeftovers(places: readonly string[]): Promise<StrayScan>;
  /** The `paths` (repository-relative) that are symbolic links leading out of `worktree`, or hard links. */
  escapingLinks(worktree: string, paths: readonly string[]): Promise<EscapingLink[]>;
  worktreeState(worktree: string): Promise<WorktreeState>;
  /** Every path under `root` (omk's state root) but the top-level names in `skip`, by stat. */
  stateTree(root: string, skip: readonly string[]): Promise<StateTree>;
  /** The names in directory `dir` (cargo's `registry/src`: one per registry); none when it is not there. */
  dirNames(dir: string): Promise<string[]>;
  /**
   * Calls `onName` with each name that appears in directory `dir` from now on, as soon as the host
   * tells (a goal directory another process creates); returns what stops it. Absent where the host
   * cannot watch a directory.
   */
  watchNames?(dir: string, onName: (name: string) => void): () => void;
}
