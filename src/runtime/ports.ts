// The ports through which the runtime touches the world. Front doors compose adapters that fit
// their host; tests inject fakes. Nothing here is evaluated at import time.

import type { Confinement } from './sandbox/port.js';

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

/**
 * Steps where a crash leaves no event behind, named for the fault harness (`OMK_FAULT_AT`):
 * goal.json written and nothing else; the planning agent answered and nothing was written of its
 * plan; the task graph, documents and decisions written but no event yet; a run's goal planned
 * and handed to its front door (the Action has pushed it to the state branch), not yet executed.
 */
export const FAULT_STEPS = ['goal_recorded', 'plan_proposed', 'plan_files_written', 'goal_planned'] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

/** Process facts the runtime needs without reading globals. */
export interface HostInfo {
  pid: number;
  hostname: string;
  /** Is a process with this pid alive on this host? */
  isAlive(pid: number): boolean;
  /**
   * Is `pid` a live omk process of this host other than this one and none of its descendants (an
   * agent or gate this omk runs, and whatever they started)? Where the host cannot tell (no
   * `/proc`), absent: a live pid other than this process's own counts.
   */
  isOtherOmk?(pid: number): boolean;
  /**
   * Keeps `dir` (a goal's directory) open until the release is called: a goal's controller does
   * while it runs the goal, so another omk process can tell it runs whatever goal.json says.
   * Absent in a composition that holds nothing (tests' fakes; then so is `otherOmkHolding`).
   */
  holdOpen?(dir: string): Promise<() => Promise<void>>;
  /**
   * The pid of a live omk process of this host, other than this one and none of its descendants,
   * that holds `dir` open (`holdOpen`); null when none does, undefined when the host cannot tell.
   */
  otherOmkHolding?(dir: string): number | null | undefined;
  /**
   * Kills the process group this pid leads (an agent and everything it started); true when the
   * signal was delivered, false when the group is gone or not ours to kill.
   */
  killGroup(pid: number): boolean;
  /**
   * Test-only fault injection: called after events are appended to a goal's log (on disk). The
   * process adapter kills this process here when `OMK_FAULT_AFTER_EVENT` names one of the types
   * (see docs/state.md, "Fault injection"); absent in every real composition without it.
   */
  afterEvents?(types: readonly string[]): void;
  /**
   * Test-only fault injection at a step that appends no event (planning, the first save of a new
   * goal): the process adapter kills this process here when `OMK_FAULT_AT` names the step.
   */
  reached?(step: FaultStep): void;
  /**
   * Called after events are appended to a goal's log (on disk), with the goal's id: a front door
   * follows a run by them (the bot edits its status comment at each phase). Must not throw or block.
   */
  eventsAppended?(goalId: string, types: readonly string[]): void;
}

/** One command for a ProcessRunner. */
export interface ProcessSpec {
  /** argv[0] is the executable; never passed through a shell. */
  argv: readonly string[];
  cwd: string;
  /** The complete environment of the child (callers build an allowlist; nothing is inherited). */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Written to stdin, then closed. */
  input?: string;
  /**
   * Run with a HOME (and XDG config, data and state directories) the host makes for this run and
   * removes after, the user's toolchain caches still found: a gate writes no file of the user's
   * HOME. `env.HOME` is the user's, which the host reads the caches' places from.
   */
  ownHome?: boolean;
  /** Output (stdout and stderr interleaved) goes here: all of it up to logMaxBytes, else its head and tail. */
  logPath?: string;
  /** The most the log keeps of this run's output (default 8 MiB); the cut is recorded in the file. */
  logMaxBytes?: number;
  /** Aborting kills the process tree (pause, cancel, budget exhausted). */
  signal?: AbortSignal;
  /** How many characters of the output tail to keep in memory. */
  tailChars?: number;
  /** Called with the pid (= process group id) once started, so a supervisor can record it. */
  onSpawn?: (pid: number) => void;
  /**
   * Kill the tree when the command has printed nothing at all this long after it started (an
   * agent CLI waiting on a login prompt no one will answer). Output at any time disarms it.
   */
  silenceMs?: number;
  /**
   * Sees the output as it comes (stdout and stderr chunks); a non-null return is why the tree is
   * killed now (an agent that only retries a network it cannot reach).
   */
  watch?: (text: string) => string | null;
  /** How long a stopped tree has between SIGTERM and SIGKILL (default 2 s). */
  killGraceMs?: number;
  /**
   * Run confined (the sandbox the run decided on): the machine read-only but for `cwd`, a private
   * temporary directory and `confine.writable`; credential stores hidden; every process it started
   * ends with it. A runner that cannot confine does not start the command (`spawnError`).
   */
  confine?: Confinement;
  /**
   * The command itself ends every process it starts when it ends (bwrap: a pid namespace of its
   * own), so the runner puts no subreaper around it, and says what it ended on fd 3 as the
   * subreaper does (`ended`, once its report is complete). A stop (timeout, abort, silence,
   * watch) sends SIGTERM to the command's only child (bwrap's: the sandbox's init) once that has
   * said `!ready` on fd 3 (a stop before is held until then), which ends the rest within the grace
   * and reports; the tree is SIGKILLed only if it has not ended a margin after (a run stopped
   * before `!ready` never started the command: nothing left). A signal the init reports ending
   * the command (`!signal`) is the result's `signal`, as unconfined. Set by the sandbox's runner only.
   */
  endsWhole?: true;
}

/** How a command ended, with its output (bounded). */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The executable could not be started (missing, not executable). */
  spawnError: string | null;
  /** Killed for printing nothing within `silenceMs` of starting (absent when no limit was given). */
  silent?: boolean;
  /** Why `watch` stopped the command (absent when no watch was given or it never stopped it). */
  stopped?: string;
  durationMs: number;
  stdout: string;
  tail: string;
  /**
   * What the command left running when it ended, which the subreaper it ran under then ended
   * (Linux; absent where it ran without one).
   */
  ended?: EndedProcess[];
}

/** A process a command left running, ended after it. */
export interface EndedProcess {
  /** Its pid (in a sandbox: as the sandbox's pid namespace numbers it). */
  pid: number;
  /** Its command line, shortened (empty when unreadable). */
  command: string;
  /** Its working directory when it was seen (absent when unreadable). */
  cwd?: string;
  /** `sandbox`: the sandbox's pid namespace ended it when the command ended, not omk. */
  endedBy?: 'sandbox';
  /**
   * Not a process: the report of what the command left began but did not complete (the sandbox's
   * init was killed), so what it left is not known (pid 0, no command).
   */
  unreported?: true;
}

/**
 * Runs one command in its own process group, so a timeout or an abort ends everything it started.
 * Resolves, never rejects: a command that cannot start is a result with `spawnError`.
 */
export type ProcessRunner = (spec: ProcessSpec) => Promise<ProcessResult>;

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
  /**
   * Asked for (`inspect(path, { changes: true })`): the paths that differ from HEAD in the index
   * or the working tree, untracked files included (not ignored ones), as `git status` lists them.
   */
  changes?: string[];
}

/** The git port, as far as planning needs it (execution adds worktrees and commits). */
export interface RepoPort {
  /** The repository containing `path`; a GitError with a hint when it is not one. */
  inspect(path: string, options?: { changes?: boolean }): Promise<RepoInfo>;
  /** Tracked files at HEAD, repository-relative with '/' separators, sorted. */
  listFiles(root: string): Promise<string[]>;
  /**
   * Lines of tracked text files matching any of `query.patterns` (`git grep`), at most
   * `query.maxHits` of them: as committed at `query.at`, else as the checkout has them. Binary
   * files are skipped; lines are cut to 300 characters.
   */
  grepLines(root: string, query: GrepQuery): Promise<GrepHit[]>;
  /** Sizes in bytes of the files committed at HEAD (empty before the first commit). */
  fileSizes(root: string): Promise<Map<string, number>>;
  /** Files committed at `sha` (what a worktree of it holds), repository-relative, sorted. */
  listCommitted(root: string, sha: string): Promise<string[]>;
  /**
   * The text of `paths` as committed at `sha` (null: not committed, not a file, or over `maxBytes`),
   * whatever the checkout holds: a goal starts from its base commit, not from uncommitted edits.
   */
  readCommitted(
    root: string,
    sha: string,
    paths: readonly string[],
    maxBytes: number,
    /** Checkout copies the caller already read (repository-relative path → text): not read again. */
    known?: ReadonlyMap<string, string>,
  ): Promise<CommittedFiles>;
}

export interface CommittedFiles {
  /** Every file committed at the commit, sorted. */
  files: string[];
  /** The asked paths' committed text. */
  texts: ReadonlyMap<string, string | null>;
  /** Asked paths whose copy in the checkout differs from the commit (edited, added or deleted). */
  changed: string[];
}

export interface GrepQuery {
  /** Extended regular expressions, or literal strings with `fixed`. */
  patterns: readonly string[];
  fixed?: boolean;
  /** Match whole words only. */
  words?: boolean;
  maxHits: number;
  /** A commit: its files are searched (what a worktree of it holds), not the checkout's. */
  at?: string;
}

export interface GrepHit {
  path: string;
  line: number;
  text: string;
}
