import type { z } from 'zod';
import type { changedFileSchema } from '../proof/schema.js';
import type { Confinement } from '../sandbox/port.js';

export type ChangedFile = z.infer<typeof changedFileSchema>;

/** Where one slice's agent works: its own worktree (or, as a fallback, a branch checkout). */
export interface SliceWorkspace {
  sliceId: string;
  path: string;
  /** omk/<goal-id>/<slice-id> */
  branch: string;
  baseSha: string;
  mode: 'worktree' | 'sparse-worktree' | 'branch-checkout';
  /** Why a full or branch checkout was used instead of what was asked, or null. */
  fallbackReason: string | null;
  /**
   * What omk's preparation left in the worktree: the capture and the reset take none of it for
   * the agent's change while it holds what the preparation left (workspace/prepared-files.ts).
   */
  prepared?: PreparedFiles;
}

/**
 * The files of a worktree that differ from its HEAD (changed, added or deleted, staged or not) and
 * those it does not track (ignored ones not: no capture takes them), each with a stamp that changes
 * whenever the file is written (`gone`: missing).
 */
export type WorktreeStamps = Readonly<Record<string, string>>;

/**
 * What omk's own preparation of a worktree (the install, `workspace.setup`) left there that the
 * capture's `git add --all` would take for the agent's change: Yarn Plug'n'Play's `.pnp.cjs`,
 * `.pnp.loader.mjs`, `.yarn/install-state.gz`, `.yarn/cache` and `.yarn/unplugged` in a project
 * whose `.gitignore` lists none of them, whatever a setup writes. Path → the stamp it left there.
 */
export type PreparedFiles = Readonly<Record<string, string>>;

export interface CapturedChange {
  /** False when the agent changed nothing: no commit is made. */
  committed: boolean;
  /** The slice branch head after capture (the base SHA when nothing changed). */
  headSha: string;
  changedFiles: ChangedFile[];
  /** Unified diff of the change (bounded; the full diff is an artifact). */
  diff: string;
  /**
   * Files of the commit whose stored object does not hold what its id says (an object rewritten
   * in the shared .git before omk committed): what omk reviews and merges is not what the gates ran on.
   */
  forgedObjects?: string[];
  /** The messages of the commits from the base to the head (the agent's own and omk's), newest first. */
  commitMessages?: string[];
}

export interface ResetResult {
  /** False when the workspace held nothing beyond the base (no patch is written). */
  diffSaved: boolean;
  /** The branch head before the reset. */
  previousHead: string;
}

export interface CreateWorkspaceInput {
  repoRoot: string;
  goalId: string;
  sliceId: string;
  baseSha: string;
  /** Directory under which workspaces are created (outside the repository). */
  workspaceRoot: string;
  /** Sparse cone paths (directories) when the slice's read/write sets allow; null = full checkout. */
  sparsePaths: readonly string[] | null;
}

/** The git side of execution, implemented by the git adapter (createGitWorkspaces). */
export interface WorkspacePort {
  create(input: CreateWorkspaceInput): Promise<SliceWorkspace>;
  /** Stages everything, commits with `message` when something changed, reports the change. */
  capture(workspace: SliceWorkspace, message: string): Promise<CapturedChange>;
  /**
   * Puts the workspace and its branch back at `workspace.baseSha` for a fresh attempt, after
   * writing what it held (commits since the base and uncommitted files) to `diffPath` as a patch.
   */
  resetToBase(workspace: SliceWorkspace, diffPath: string): Promise<ResetResult>;
  /** Removes the workspace (never the branch) and prunes worktree metadata. */
  remove(repoRoot: string, workspace: SliceWorkspace): Promise<void>;
  /**
   * Removes index.lock / HEAD.lock / ref locks older than maxAgeMs in omk's own worktrees and under
   * refs/heads/omk/ (never the user's checkout, worktrees or branches); returns what was removed.
   */
  recoverStaleLocks(repoRoot: string, maxAgeMs: number): Promise<string[]>;
  /**
   * Removes the git lock files of one slice workspace (its index.lock and HEAD.lock, its branch's
   * ref lock) whatever their age: called once the agent that worked there and every process it
   * started are gone, so any lock left there is theirs. Returns what was removed.
   */
  clearLocks(workspace: SliceWorkspace): Promise<string[]>;
  /**
   * What became of the `.git` of a branch checkout an agent replaced it in ("is now a link", a
   * `gitdir:` file, gone), read without git: omk runs no git there any more; null when it is the
   * clone's own directory (or the workspace is a worktree). Optional:
   * without it the first git call there refuses, as an error.
   */
  gitDirReplaced?(workspace: SliceWorkspace): Promise<string | null>;
  /** Merges slice branches, in order, into `target` created at baseSha; stops at the first conflict. */
  integrate(input: IntegrateInput): Promise<IntegrationResult>;
  /**
   * Starts making the integration workspace in the background (while agents run, so integrating
   * does not begin with a checkout); `integrate` for the same goal picks it up. Failures are not
   * reported here: `integrate` opens it again and reports its own.
   */
  prepareIntegration(input: Omit<IntegrateInput, 'target' | 'branches'>): PreparedIntegration;
  /**
   * The integration workspace on the goal's existing integration branch, made again when it was
   * removed (a settled goal keeps no worktree); nothing is merged.
   */
  openIntegration(input: Omit<IntegrateInput, 'target' | 'branches'>): Promise<SliceWorkspace>;
  /**
   * Starts merging `merge.branch` into the integration workspace and leaves its conflicts in the
   * files (and the merge in progress) for an integration-fix agent; the next `capture` commits the
   * merge. Returns the conflicting paths (none when the merge went through on its own). A branch
   * that is not at `merge.head` (where omk captured it, from the goal's record) is refused as
   * `integrate` refuses it, nothing merged.
   */
  mergeForRepair(
    workspace: SliceWorkspace,
    goalId: string,
    merge: { branch: string; head: string | null },
  ): Promise<{ paths: string[] }>;
  /**
   * Where the goal's record says omk left its finished slices' branches (`IntegrateInput.heads`)
   * and its integration branch, told once by a controller that takes the goal: one found elsewhere now is put back and
   * returned, and from then on each agent or gate run's integrity check compares them (a new
   * process has moved none of them yet) and puts back one that moves.
   */
  adoptRecordedHeads(
    repoRoot: string,
    goalId: string,
    heads: Readonly<Record<string, string>>,
  ): Promise<MovedBranch[]>;
  /**
   * The tree `commit` holds and the files of `worktree` that are not in its index (untracked and
   * ignored, a wholly untracked directory as one entry ending in `/`): what a gate run there sees
   * besides the tree. Optional: without it no gate result is reused (gates/reuse.ts).
   */
  treeFacts?(worktree: string, commit: string): Promise<TreeFacts>;
  /**
   * What `worktree` holds besides its checked-out commit, as `git status` lists it: tracked files
   * changed, added or deleted, and the files it does not track, ignored ones too, but for those
   * under `node_modules` (omk's links). Optional: without it the base worktree is not checked
   * before its results count (BaseCheckout.foreign).
   */
  worktreeChanges?(worktree: string): Promise<WorktreeChanges>;
  /**
   * The worktree's files besides its HEAD, not ignored ones, each stamped (WorktreeStamps): taken
   * before and after omk prepares it, to know what the preparation wrote. Optional: without it
   * every file the preparation leaves is taken as the agent's change.
   */
  worktreeStamps?(worktree: string): Promise<WorktreeStamps>;
  /**
   * Dates every file `worktree` tracks now (not target/, not .git; a link itself, not what it
   * points to); returns how many. Optional: without it a cargo gate may run the build of another
   * worktree of the goal (gates/own-sources.ts).
   */
  dateTrackedNow?(worktree: string): Promise<number>;
}

export interface WorktreeChanges {
  /** Tracked files changed, added or deleted. */
  tracked: string[];
  /** Files not tracked, ignored ones included, each with a stamp that changes when it is written. */
  untracked: { path: string; stamp: string }[];
}

/** A branch found elsewhere than where the goal's record says omk captured it (`adoptRecordedHeads`). */
export interface MovedBranch {
  branch: string;
  /** The commit the record names: its slice's review saw it. */
  recorded: string;
  /** Where it was found; null: it was removed. */
  found: string | null;
  /** Put back at `recorded`; false when git refused (the commit is not in the repository). */
  restored: boolean;
}

/** A worktree against a commit: the commit's tree id and the files besides it (WorkspacePort.treeFacts). */
export interface TreeFacts {
  tree: string;
  extra: string[];
}

export interface PreparedIntegration {
  /** Nothing will be integrated: removes what the preparation made (nothing it found). */
  discard(): Promise<void>;
}

export interface IntegrateInput {
  repoRoot: string;
  workspaceRoot: string;
  goalId: string;
  baseSha: string;
  /** omk/<goal-id>/integration */
  target: string;
  /** Slice branches in dependency order. */
  branches: readonly string[];
  /**
   * The commit omk captured (and reviewed) each branch at, from the goal's record: a branch found
   * elsewhere is refused, nothing merged.
   */
  heads?: Readonly<Record<string, string>>;
}

export interface IntegrationResult {
  /** The integration workspace (a worktree on `target`), kept for gates to run in. */
  workspace: SliceWorkspace;
  headSha: string;
  merged: string[];
  conflict: { branch: string; paths: string[]; detail: string } | null;
  /** What the integrated tree changes from the base (as of headSha). */
  changedFiles: ChangedFile[];
  /** Unified diff from the base (bounded). */
  diff: string;
  /**
   * Files the workspace made ahead of time (prepareIntegration, while agents ran) held besides its
   * commit when the integration took it: an unconfined agent wrote them there. Removed (tracked
   * ones put back) before anything was merged; absent or empty: none.
   */
  foreign?: string[];
}

/**
 * One thing a new worktree needs before an agent or a gate runs in it. The runtime decides which
 * (from the project's files and `.omk/config.yml`); a WorkspacePreparer does it on the host.
 */
export type PreparationStep =
  | {
      /**
       * Node: the checkout's node_modules, copied, when `manifests` are byte-identical in the
       * checkout's working tree and the worktree; otherwise `install`, run in the worktree.
       */
      kind: 'node-modules';
      /** package.json and the lockfile, when there is one (repository-relative). */
      manifests: readonly string[];
      /** The project's install command, or null when the config does not allow installing. */
      install: readonly string[] | null;
      /**
       * The directories of the tree's other package.json files (a monorepo's workspace packages):
       * where the checkout has a node_modules of their own (npm nests there the versions a package
       * needs when another is hoisted), the worktree gets it too, with the root's. Absent: none.
       */
      packages?: readonly string[];
      /**
       * Yarn Plug'n'Play: the install is `.pnp.cjs` and the package cache, whose paths are relative
       * to the project, not node_modules (where vitest only keeps its cache): never reused from the
       * checkout, the install runs in each worktree.
       */
      pnp?: boolean;
    }
  | {
      /** Python: the first of `dirs` in the checkout that holds a virtualenv goes first on PATH. */
      kind: 'python-venv';
      dirs: readonly string[];
    }
  /** The user's own command (`workspace.setup`), run in the worktree. */
  | { kind: 'command'; argv: readonly string[] };

export interface PreparationPlan {
  steps: readonly PreparationStep[];
  /** Variables every gate of the goal gets (CARGO_TARGET_DIR shared by the goal's worktrees). */
  env: Readonly<Record<string, string>>;
  /** Bound on each command (an install, a setup command). */
  timeoutMs: number;
  /** Where the preparer keeps what the goal's worktrees share (CARGO_TARGET_DIR). */
  cacheDir: string;
  /**
   * Where the preparer keeps what worktrees of every goal share: omk's copies of a checkout's
   * node_modules, one per checkout and manifests, so a later goal's first worktree links too.
   */
  sharedCacheDir: string;
}

export interface PrepareInput {
  /** The user's checkout, whose dependencies may be reused (never written to). */
  repoRoot: string;
  /** The worktree to prepare. */
  path: string;
  /**
   * Set for the goal's base worktree: what runs there. `checkout-code`: only the goal's base
   * commit, the user's own code (what `npm test` in the checkout runs), so its node_modules may be
   * hard links to the checkout's own files (no copy before the base's gates) while omk's shared
   * copy for the other worktrees is made in the background. `agent-code`: something an agent wrote
   * is about to run there (its tests against the base's source): a node_modules omk made of
   * links to the checkout's files is replaced first by links to omk's own copy. Unset (a slice's
   * or the integration's worktree): it never shares a file with the checkout.
   */
  base?: 'checkout-code' | 'agent-code';
  plan: PreparationPlan;
  /** Environment of install and setup commands (the gate allowlist: they run repository code). */
  env: Readonly<Record<string, string>>;
  /** Output of every command goes here, each run's bounded to logMaxBytes (head and tail kept). */
  logPath: string;
  /** The most the log keeps of one command's output (`logs.maxBytes`); default: the host's. */
  logMaxBytes?: number;
  signal?: AbortSignal;
  /**
   * Set when the run is sandboxed: install and setup commands run as confined as the gates
   * (ProcessSpec.confine): they run the repository's code (install scripts, the setup command).
   */
  confine?: Confinement;
}

/** The worktree is ready: what was done, and what its gates need in their environment. */
export interface PreparedWorkspace {
  ok: true;
  /** One line per step, e.g. "node_modules copied from the checkout (6302 files, 412 ms)". */
  done: string[];
  /** True when something was made or run (false: an earlier run had prepared it already). */
  changed: boolean;
  /** Gate environment additions: PATH with a virtualenv first, CARGO_TARGET_DIR, ... */
  env: Record<string, string>;
}

/** A step failed: which command, how it ended, the last lines of its output. */
export interface PreparationFailure {
  ok: false;
  done: string[];
  /** argv of the command that failed, or the step's name when it was not a command. */
  what: string;
  exitCode: number | null;
  /** "exit 1", "timed out after 600000 ms", "could not start: ENOENT", ... */
  detail: string;
  tail: string;
  logPath: string;
}

/** Gives worktrees the project's dependencies; implemented on the host (the workspace preparer adapter). */
export interface WorkspacePreparer {
  prepare(input: PrepareInput): Promise<PreparedWorkspace | PreparationFailure>;
}
