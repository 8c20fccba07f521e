import type { Agent } from '../agents/port.js';
import type { KeptBundlePort } from '../delivery/kept-bundle.js';
import type { GateBaseline, GateSpec, VerifyFn } from '../gates/port.js';
import type { SliceGateRun } from '../gates/reuse.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { BASE_ID } from '../graph/branches.js';
import type { IntegrationCache } from '../integrity/integration-cache.js';
import type { IntegrityPort } from '../integrity/port.js';
import type { StepSpelling } from '../next-steps.js';
import type { RepoPort, Reporter } from '../ports.js';
import type { SandboxDecision } from '../sandbox/port.js';
import { createSharedGitActivity } from '../workspace/own-step.js';
import type {
  PreparationPlan,
  PreparedIntegration,
  SliceWorkspace,
  WorkspacePort,
  WorkspacePreparer,
} from '../workspace/port.js';
import type { ExecutionJournal } from './journal.js';
import { prepareWorkspace } from './prepare.js';
import { type RateLimitWaiting, waitingOutRateLimits } from './rate-limit.js';
import { planRequiredGates } from './required-gates.js';
import type { RunBaseline } from './run-baseline.js';

/** What a controller needs from the world; front doors compose it from adapters. */
export interface ControllerDeps {
  store: GoalStore;
  workspaces: WorkspacePort;
  agent: Agent;
  verify: VerifyFn;
  /** Whether agents and gates run confined; recorded as a decision when execution starts. */
  sandbox?: SandboxDecision;
  /** Snapshots and compares what lies outside a worktree around every agent and gate run. */
  integrity: IntegrityPort;
  /** The HOME omk runs with (its git config is watched), or null when it has none. */
  home: string | null;
  /**
   * Whether a text holds a credential omk holds or a GitHub-token-shaped value (the security
   * review blocks a change adding one); composeController gives it the scrub's literals.
   */
  holdsToken?: (text: string) => boolean;
  /** Gates detected for the repository (and configured), before required kinds are applied. */
  gates: readonly GateSpec[];
  /**
   * Files as committed at a commit: the gate-definition review reads what a gate runs (a script
   * body, a Makefile) at both ends of a change.
   */
  committed: Pick<RepoPort, 'readCommitted'>;
  /**
   * The build cache the gates on the base and on the integrated tree use instead of the slices'
   * (absent: they share the slices', as a test's host may).
   */
  integrationCache?: IntegrationCache;
  /** Environment for gate processes (already allowlisted). */
  gateEnv: Readonly<Record<string, string>>;
  /** Gives each new worktree the project's dependencies (absent: worktrees are used as checked out). */
  preparer?: WorkspacePreparer;
  /** What every worktree of this goal needs (planPreparation). */
  preparation?: PreparationPlan;
  /**
   * `module@version` of each Go module the base commit's go.sum files name: compared in Go's
   * module cache around each unsandboxed agent run (`module-sources.ts`). Absent: none.
   */
  goModules?: readonly string[];
  /**
   * `name@version` of each registry crate the base commit's Cargo.lock files name: compared in
   * cargo's registry sources around each unsandboxed agent run (`crate-sources.ts`). Absent: none.
   */
  crates?: readonly string[];
  reporter: Reporter;
  /** How the host spells next steps in what the reporter prints (omk's own words by default). */
  steps?: StepSpelling;
  /** Where slice worktrees go (outside the repository). */
  workspaceRoot: string;
  /** How often the controller checks for pause/cancel and writes a heartbeat. */
  pollMs?: number;
  /**
   * Publishes a slice branch as soon as its slice is done (git push), so a run resumed elsewhere
   * (another runner, a fresh clone) can build on and integrate it. Optional: local runs keep
   * branches in the repository itself.
   */
  publishBranch?: (branch: string, sha: string, lease?: string) => Promise<void>;
  /**
   * Where branches are published: a slice branch kept until the goal is accepted is saved with
   * the goal instead (delivery/kept-bundle.ts), so the job that integrates it can restore it.
   */
  keptBundles?: KeptBundlePort;
  /** How a rate-limited agent is waited out (the bound, and the sleep tests make instant). */
  rateLimit?: RateLimitWaiting;
  /**
   * The host's checkout does not outlive a run (the Action's runners, the bot's clones): the
   * goal's branches come from the remote, its integration branch where delivery last pushed it,
   * not where the last run left it, so that one is not compared when the goal is taken.
   */
  branchesFromRemote?: boolean;
}

/** One controller run over one goal. */
export interface RunContext extends RunBaseline {
  deps: ControllerDeps;
  journal: ExecutionJournal;
  goal: GoalRecord;
  /** Gates with `required` applied from the oracle. */
  gates: readonly GateSpec[];
  /** Aborted on pause, cancel, SIGINT/SIGTERM: running agents and gates stop. */
  signal: AbortSignal;
  /** The goal's base, with a worktree of it for telling pre-existing gate failures apart. */
  base: BaseCheckout;
  /** The gates' results on the goal's base, once the run has checked them before any agent. */
  baseline?: GateBaseline;
  /** Called when a slice's agent process has started. */
  agentStarted?: () => void;
  /** The integration workspace, once the controller has started making it ahead of time. */
  preparedIntegration?: PreparedIntegration;
  /** The slices' gate runs of this run, which the integrated tree may take (gates/reuse.ts). */
  sliceGateRuns?: SliceGateRun[];
}

/** A run's context: the oracle's required gates applied, and the base made only when needed. */
export function createRunContext(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goal: GoalRecord,
  signal: AbortSignal,
): RunContext {
  const { gates } = planRequiredGates(goal.oracle.requiredGates, deps.gates);
  // One for the run: the base's preparation is omk's own step as much as a slice's is.
  const sharedGit = createSharedGitActivity();
  const prepare: PrepareBase = (path, runs) =>
    prepareWorkspace({ deps, journal, goal, signal, sharedGit }, path, BASE_ID, runs);
  // Every agent this run starts (slices, review fixes, the integration repair) waits out a rate limit.
  const agent = waitingOutRateLimits(
    deps.agent,
    journal,
    deps.reporter,
    deps.rateLimit,
    async () => (await deps.store.read(goal.id)).budget,
  );
  return {
    deps: { ...deps, agent },
    journal,
    goal,
    gates,
    signal,
    base: lazyBase(deps, goal, prepare),
    sharedGit,
    sliceGateRuns: [],
  };
}

/** The goal's base commit, and a worktree of it made the first time something needs one. */
export interface BaseCheckout {
  readonly baseSha: string;
  /** The worktree's path; the first call creates (or reuses) it, later calls share that. */
  path(): Promise<string>;
  /**
   * The environment gates run with in that worktree, as its preparation left it (the checkout's
   * virtualenv first on PATH, the goal's CARGO_TARGET_DIR): the same as a slice's, so a tool the
   * slices cannot start is found missing on the base too.
   */
  env(): Promise<Readonly<Record<string, string>>>;
  /**
   * The worktree's path once nothing of the checkout's own node_modules is left in it (its
   * dependencies relinked to omk's copy): asked before anything an agent wrote is put there and
   * run. Until then the base's gates, which run only the checkout's own code, may read the
   * checkout's files through hard links (PrepareInput.base).
   */
  pathForAgentCode(): Promise<string>;
  /**
   * Files of the worktree omk did not put there: tracked files changed, or files it does not track
   * (ignored ones too, `node_modules` aside) added or written since omk's last own run in it
   * (`settled`): an unconfined agent, its tests or a process it left wrote them. Empty when the
   * host cannot tell, or no worktree was made yet.
   */
  foreign(): Promise<string[]>;
  /** What omk's own run there left (the caches a gate run writes) is omk's: recorded. */
  settled(): Promise<void>;
}

/** Prepares the base worktree for whose code runs there next; returns its gate environment. */
export type PrepareBase = (
  path: string,
  runs: 'checkout-code' | 'agent-code',
) => Promise<Readonly<Record<string, string>>>;

/**
 * A run that dispatches slices checks its gates on the base first (runGatesOnBase); a run that only
 * integrates needs the base's files only for a failing gate or the fail-to-pass evidence, so the
 * worktree is made the first time something asks for it.
 */
export function lazyBase(
  deps: Pick<ControllerDeps, 'workspaces' | 'workspaceRoot'>,
  goal: GoalRecord,
  /**
   * Gives the new worktree the project's dependencies, before any gate runs in it; returns the
   * environment its gates run with.
   */
  prepare: PrepareBase = async () => ({}),
): BaseCheckout {
  const baseSha = goal.repo.baseSha ?? '';
  let created: Promise<{ workspace: SliceWorkspace; env: Readonly<Record<string, string>> }> | null = null;
  const make = () => {
    created ??= deps.workspaces
      .create({
        repoRoot: goal.repo.root,
        goalId: goal.id,
        sliceId: BASE_ID,
        baseSha,
        workspaceRoot: deps.workspaceRoot,
        sparsePaths: null,
      })
      .then(async (workspace) => ({ workspace, env: await prepare(workspace.path, 'checkout-code') }));
    return created;
  };
  // Once per run; a resumed run's preparation finds the relinked node_modules and keeps it.
  let isolated: Promise<string> | null = null;
  // Untracked files (path → stamp) after omk's last own run there; null until this process looked.
  let known: ReadonlyMap<string, string> | null = null;
  const changes = async () =>
    created === null
      ? null
      : ((await deps.workspaces.worktreeChanges?.((await created).workspace.path)) ?? null);
  return {
    baseSha,
    async foreign() {
      const now = await changes();
      if (now === null) return [];
      // Made or first used by this process: what was there before is taken as it is.
      known ??= stamps(now.untracked);
      const seen = known;
      const written = now.untracked.filter((file) => seen.get(file.path) !== file.stamp);
      return [...now.tracked, ...written.map((file) => file.path)].sort();
    },
    async settled() {
      const now = await changes();
      if (now !== null) known = stamps(now.untracked);
    },
    path: async () => (await make()).workspace.path,
    env: async () => (await make()).env,
    pathForAgentCode: () => {
      isolated ??= make().then(async ({ workspace }) => {
        await prepare(workspace.path, 'agent-code');
        return workspace.path;
      });
      return isolated;
    },
  };
}

function stamps(files: readonly { path: string; stamp: string }[]): ReadonlyMap<string, string> {
  return new Map(files.map((file) => [file.path, file.stamp]));
}
