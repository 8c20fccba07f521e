import type { Agent } from '../agents/port.js';
import type { GateSpec, VerifyFn } from '../gates/port.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { Reporter } from '../ports.js';
import type { SliceWorkspace, WorkspacePort } from '../workspace/port.js';
import type { ExecutionJournal } from './journal.js';

/** What a controller needs from the world; front doors compose it from adapters. */
export interface ControllerDeps {
  store: GoalStore;
  workspaces: WorkspacePort;
  agent: Agent;
  verify: VerifyFn;
  /** Gates detected for the repository (and configured), before required kinds are applied. */
  gates: readonly GateSpec[];
  /** Environment for gate processes (already allowlisted). */
  gateEnv: Readonly<Record<string, string>>;
  reporter: Reporter;
  /** Where slice worktrees go (outside the repository). */
  workspaceRoot: string;
  /** How often the controller checks for pause/cancel and writes a heartbeat. */
  pollMs?: number;
  /**
   * Publishes a slice branch as soon as its slice is done (git push), so a run resumed elsewhere
   * (another runner, a fresh clone) can build on and integrate it. Optional: local runs keep
   * branches in the repository itself.
   */
  publishBranch?: (branch: string, sha: string) => Promise<void>;
}

/** One controller run over one goal. */
export interface RunContext {
  deps: ControllerDeps;
  journal: ExecutionJournal;
  goal: GoalRecord;
  /** Gates with `required` applied from the oracle. */
  gates: readonly GateSpec[];
  /** Aborted on pause, cancel, SIGINT/SIGTERM: running agents and gates stop. */
  signal: AbortSignal;
  /** A worktree at the goal's base, for telling pre-existing gate failures apart. */
  base: SliceWorkspace;
}
