import type { AgentLauncher } from '../agents/port.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import type { Sleep } from '../controller/rate-limit.js';
import type { DeliverDeps } from '../delivery/deliver.js';
import type { KeptBundlePort } from '../delivery/kept-bundle.js';
import type { Forge } from '../forge/port.js';
import type { VerifyFn } from '../gates/port.js';
import type { ToolchainProbes } from '../gates/toolchain-requirements.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { CopyCache } from '../integrity/integration-cache.js';
import type { IntegrityPort } from '../integrity/port.js';
import type { Planner } from '../plan/planner.js';
import type { RepoPort, Reporter } from '../ports.js';
import type { SandboxPort, SubreaperState } from '../sandbox/port.js';
import type { CredentialGuard } from '../secrets/credential-port.js';
import type { RemoteStateStore } from '../state/remote.js';
import type { WorkspacePort, WorkspacePreparer } from '../workspace/port.js';
import type { RepoCustomAgents } from './agent-trust.js';
import type { HostVocabulary } from './vocabulary.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The host side of execution: where slices get their checkouts, how agents and gates run. */
export interface ExecutionHost {
  /** Slice checkouts: worktrees, or one branch checkout at a time with `forceFallback`. */
  workspaces(options: { forceFallback: boolean }): WorkspacePort;
  /** Builds the agent the registry chose (a process, or the built-in demo agent). */
  agents: AgentLauncher;
  /** Removes what omk made for a goal (`omk goal clean`). */
  cleaner: GoalCleaner;
  verify: VerifyFn;
  /** Integrity checks around agent and gate runs (the shared .git, HOME's git config, strays, links). */
  integrity: IntegrityPort;
  /** Gives each new worktree the project's dependencies (copies node_modules, runs installs). */
  preparer: WorkspacePreparer;
  /** Confines agents and gates (`sandbox` in the config); absent: this host cannot. */
  sandbox?: SandboxPort;
  /** Whether unconfined runs end under a subreaper here; absent: not said (a test's host). */
  subreaper?: () => Promise<SubreaperState>;
  /**
   * Asks a gate's go and python what its toolchain needs (gates/toolchain-requirements.ts), given
   * the gates' environment; absent: a goal's preflight looks up executables only.
   */
  toolchain?: (env: Readonly<Record<string, string>>) => ToolchainProbes;
  /**
   * Copies a build cache directory, times kept and no file shared with the copy (cargo rewrites
   * its fingerprints in place): the slices' cache starts from what the base's gates built in the
   * integration's. Absent: the slices' cache starts empty.
   */
  copyCache?: CopyCache;
  /** Takes the checkout's persisted credential out of `.git/config` while agents and gates run. */
  credentials?: CredentialGuard;
}

/** What omk made in a repository for one goal, and only that. */
export interface GoalCleaner {
  /** The goal's worktrees under `workspaceRoot` on its omk/<goal-id>/ branches; their paths. */
  removeWorktrees(repoRoot: string, goalId: string, workspaceRoot: string): Promise<string[]>;
  /** The goal's omk/<goal-id>/* branches; their names. */
  deleteBranches(repoRoot: string, goalId: string): Promise<string[]>;
  /**
   * The goal's cache directory under the state root (its CARGO_TARGET_DIR, confined installs'
   * download caches), and all in it; whether there was one.
   */
  removeCache(dir: string): Promise<boolean>;
}

/** Goal state that also lives on a remote (the state branch), watched while a goal executes. */
export interface SharedState {
  remote: Pick<RemoteStateStore, 'peek'> & Partial<Pick<RemoteStateStore, 'read'>>;
  /** How often a running goal reads the remote for a pause, cancel or budget extension. */
  pollMs: number;
}

/**
 * Everything the use cases need, composed once by a front door from the adapters that fit its
 * host. Nothing here is read from globals.
 */
export interface AppDeps {
  store: GoalStore;
  repo: RepoPort;
  planner: Planner;
  reporter: Reporter;
  randomHex(): string;
  /** The host's environment: agents and gates get allowlisted parts of it. */
  env: Env;
  execution: ExecutionHost;
  words: HostVocabulary;
  /** The forge a goal's PRs go to, made when first needed (it may fetch a token). */
  forge(goal: GoalRecord): Promise<Forge>;
  /** Set when the goal's truth is on a remote that others write to while it runs. */
  shared?: SharedState;
  /**
   * Publishes a finished slice's branch at once (hosts whose checkout does not outlive the run);
   * `lease`: the head it replaces (a slice rerun after it was published), else fast-forward only.
   */
  publishBranch?(branch: string, sha: string, lease?: string): Promise<void>;
  /**
   * Saves a branch kept until the goal is accepted with the goal and restores it in a later job
   * (hosts whose checkout does not outlive the job: delivery/kept-bundle.ts); absent: the branch
   * stays in this repository only.
   */
  keptBundles?: KeptBundlePort;
  /** How the controller waits out a rate-limited agent; absent: a real timer (tests pass an instant one). */
  sleep?: Sleep;
  /** Frames a long phase in the host's log (a collapsible group in Actions). */
  phase?<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * How this host reads a repository's omk config where it names its own file (the Action's
   * config-path); absent: `.omk/config.yml`. Merges read `merge.requireChecks` through it.
   */
  config?(repoRoot: string): Promise<LoadedConfig>;
  /**
   * Whether `agents.custom` of the repository's config may run (absent: trusted, the CLI's and
   * the Action's case). The bot says `untrusted`: see agent-trust.ts.
   */
  repoCustomAgents?: RepoCustomAgents;
}

/** The repository's config as this host reads it (`config`, else `.omk/config.yml`). */
export function hostConfig(deps: Pick<AppDeps, 'config'>, repoRoot: string): Promise<LoadedConfig> {
  return deps.config === undefined ? loadConfig(repoRoot) : deps.config(repoRoot);
}

/** What delivery needs of the use cases' dependencies, with the forge the goal's PRs go to. */
export function deliverDeps(deps: AppDeps, forge: Forge): DeliverDeps {
  return {
    store: deps.store,
    forge,
    reporter: deps.reporter,
    ...(deps.keptBundles === undefined ? {} : { bundles: deps.keptBundles }),
  };
}

export function inPhase<T>(deps: Pick<AppDeps, 'phase'>, title: string, fn: () => Promise<T>): Promise<T> {
  return deps.phase === undefined ? fn() : deps.phase(title, fn);
}
