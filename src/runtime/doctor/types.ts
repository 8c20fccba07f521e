import type { LoadedConfig } from '../config/load.js';
import type { OmkConfig } from '../config/schema.js';
import type { NodeManifest } from '../gates/node-manifest.js';
import type { GateSpec } from '../gates/port.js';
import type { SandboxAvailability, SubreaperState } from '../sandbox/port.js';

export type DoctorStatus = 'ok' | 'warn' | 'fail';

/** One line of `omk doctor`: what was checked, what was found, and how to fix it. */
export interface DoctorCheck {
  /** Stable identifier for scripts: git, repository, worktrees, config, agent, gates, gate:<name>, ... */
  id: string;
  title: string;
  status: DoctorStatus;
  detail: string;
  /** A next step, present whenever the status is not ok. */
  fix?: string;
}

export interface DoctorReport {
  /** True when no check failed (warnings allowed). */
  ok: boolean;
  checks: DoctorCheck[];
}

export type FileState = 'ok' | 'missing' | 'not-file' | 'not-executable';

export type Probed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Everything the doctor asks the world. Injected so each branch of each check is testable with
 * fakes; `createSystemProbes`, the doctor adapter, is the real implementation.
 */
export interface DoctorProbes {
  /** Output of `git --version`. */
  gitVersion(): Promise<Probed<string>>;
  /** The repository containing `path`: its root and HEAD (null without commits). */
  inspectRepo(path: string): Promise<Probed<{ root: string; headSha: string | null }>>;
  /** `git worktree list` in the repository. */
  listWorktrees(root: string): Promise<Probed<number>>;
  /** Loads `.omk/config.yml`; throws ConfigError when it is invalid. */
  loadConfig(root: string): Promise<LoadedConfig>;
  /** The gates a goal would run (detected and configured); throws ConfigError on a bad gate list. */
  detectGates(root: string, config: OmkConfig): Promise<GateSpec[]>;
  /**
   * The scripts of the package.json a goal started now would run (HEAD's, as `detectGates` reads
   * it): null without one.
   */
  packageScripts(root: string): Promise<Record<string, string> | null>;
  /**
   * That package.json's declared dependencies and the install its lock file calls for
   * (gates/node-manifest.ts): null without one.
   */
  nodeManifest(root: string): Promise<NodeManifest | null>;
  /**
   * Why a goal started now would not give its worktrees the checkout's node_modules (it installs
   * its own: `ownInstallOf` in gates/tool-preflight.ts), or null when it would.
   */
  ownInstall(root: string, config: OmkConfig): Promise<string | null>;
  /**
   * The absolute path of `command` in `firstDirs` (a gate's: the checkout's virtualenvs), then on
   * the PATH, or null. Never a shell, never `which`.
   */
  findOnPath(command: string, firstDirs?: readonly string[]): Promise<string | null>;
  /** Whether a path is an executable regular file. */
  fileState(path: string): Promise<FileState>;
  /** A file of the tree a goal started now would run (HEAD's; without a commit, the checkout's); null: none. */
  headFile(root: string, path: string): Promise<string | null>;
  /** `<go> version`, run outside any module (no toolchain switch); null: it did not answer. */
  goVersion(go: string): Promise<string | null>;
  /** Which of `modules` `<python>` cannot import, asked in one run; null: it could not be asked. */
  missingPythonModules(python: string, modules: readonly string[]): Promise<string[] | null>;
  /**
   * Runs an agent CLI's `--version` or `--help` (no prompt, no credentials needed, a few seconds at
   * most) and returns what it printed, stdout first. Not ok when it could not start or hung.
   */
  agentCliOutput(argv: readonly string[], cwd: string): Promise<Probed<string>>;
  /** Builds the agent as a run would, so its configuration errors surface (e.g. a GitHub token asked for). */
  validateAgent(spec: string, root: string, config: OmkConfig): void;
  /**
   * Writes and removes a temporary file in the directory, or, when it does not exist yet, in its
   * nearest existing ancestor (`tested`). Creates no directory.
   */
  probeWritableDir(path: string): Promise<Probed<{ exists: boolean; tested: string }>>;
  /** Whether agents and gates can be confined here (bwrap on the PATH and able to run). */
  sandbox(): Promise<SandboxAvailability>;
  /** Whether unconfined runs end under a subreaper here (Linux, a system perl, prctl allowed). */
  subreaper(): Promise<SubreaperState>;
}

/**
 * The host's options a check's fix points to, as its front door spells them (the CLI: `--agent`,
 * `--repo`, `--state-dir`, `--forge`, the command that prints the report as JSON, and the one
 * that runs a goal with the sandbox off). The runtime never spells them itself.
 */
export interface DoctorWords {
  agent: string;
  repo: string;
  stateDir: string;
  forge: string;
  jsonReport: string;
  /** How to run with the sandbox off, for good or for one goal (the CLI: the config's `sandbox: off`, or `'omk goal run "<goal>" --sandbox off'`). */
  sandboxOff: string;
}

export interface DoctorInput {
  /** The repository to check (--repo, else the current directory). */
  repoPath: string;
  /** --agent, if given; else agents.default from the config. */
  agent: string | undefined;
  /** The goal state root the CLI would use. */
  stateRoot: string;
  /** Only the presence of the GitHub token variables is read; their values never leave this check. */
  env: Readonly<Record<string, string | undefined>>;
  /** How the front door spells the options the fixes name. */
  words: DoctorWords;
}
