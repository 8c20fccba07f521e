import type { Task, TaskDraft } from '../graph/schema.js';
import type { Confinement } from '../sandbox/port.js';
import type { AgentEnvironmentFailure } from './environment.js';
import type { HomeEntry } from './home.js';
import type { PromptDelivery } from './presets.js';
import type { UsageParserName } from './usage.js';

export interface AgentRunInput {
  goalId: string;
  taskId: string;
  attempt: number;
  /** The slice as planned: agents that need structure (the demo agent) read it; others use the prompt. */
  task: Pick<Task, 'id' | 'title' | 'description' | 'ownerRole' | 'reads' | 'writes' | 'acceptance'>;
  /** The full prompt (goal, slice, scope, acceptance, previous failure). */
  prompt: string;
  /** The slice workspace: the agent's working directory. */
  cwd: string;
  timeoutMs: number;
  /** artifacts/agent-runs/<task>/ — transcript, prompt and usage are written here. */
  artifactsDir: string;
  signal?: AbortSignal;
  /** Called with the agent's process group id when it starts (recorded so a successor controller can stop an orphan). */
  onProcess?: (pid: number) => void;
  /** Set when the run is sandboxed: the agent's process runs confined (ProcessSpec.confine). */
  confine?: Confinement;
  /** The most the transcript keeps of the run's output (`logs.maxBytes`); default: the host's. */
  logMaxBytes?: number;
}

export interface AgentUsage {
  tokens: number | null;
  usd: number | null;
}

export interface AgentRunResult {
  outcome: 'succeeded' | 'failed' | 'timeout' | 'crashed' | 'cancelled';
  exitCode: number | null;
  durationMs: number;
  usage: AgentUsage;
  /** Path of the transcript artifact. */
  transcript: string;
  /** Follow-up tasks the agent proposed (untrusted: validated before they enter the graph). */
  followUps: TaskDraft[];
  /** One line for humans: why it failed, or what it did. */
  summary: string;
  /**
   * Set when the agent could not run on this machine at all (not installed, refused its
   * arguments, not logged in, out of quota, silent at start): not an attempt, no retry fixes it.
   */
  environment?: AgentEnvironmentFailure;
}

/** Any coding agent: a CLI preset, a user's command, a script, or the built-in demo agent. */
export interface Agent {
  /** e.g. 'claude', 'script:./fix.sh', 'demo' */
  readonly name: string;
  /** Shown wherever the agent's work appears (the demo agent says it is a demo). */
  readonly label: string;
  run(input: AgentRunInput): Promise<AgentRunResult>;
}

/**
 * A command agent as the runtime chose it (a preset CLI, a user's custom command or a script):
 * data only, so which agent runs is decided without starting anything.
 */
export interface AgentCommand {
  /** e.g. 'claude', 'script:./fix.sh' */
  name: string;
  label: string;
  /** argv template; `{prompt}`, `{promptFile}` and `{cwd}` are replaced literally, never by a shell. */
  argv: readonly string[];
  prompt: PromptDelivery;
  /** Variable names passed through from the host environment on top of the base allowlist. */
  envNames: readonly string[];
  usage: UsageParserName;
  /**
   * Stop the agent as unable to run here when it prints nothing at all this long after starting;
   * null: no limit (an agent that may well be quiet until it is done).
   */
  startupSilenceMs: number | null;
  /**
   * Stop the agent as unable to reach its provider when, this long, it has printed nothing but
   * network failures; null: no limit.
   */
  networkStallMs: number | null;
  /**
   * What is copied from the user's HOME into the agent's own HOME before each run (the preset's
   * login, plus `home` from .omk/config.yml), checked: never a credential store.
   */
  home: readonly HomeEntry[];
  /**
   * Set for a preset with no key variable and no login file here: added to the fix when a run
   * shows the agent cannot run (it may have hung or failed for want of one).
   */
  missingLogin?: string;
}

/**
 * Turns the runtime's choice of agent into an agent that runs. Front doors pass the process
 * implementation in; the runtime never starts a process itself.
 */
export interface AgentLauncher {
  /** The built-in demo agent (deterministic, offline, not an AI). */
  demo(): Agent;
  /**
   * An agent running `command` with an allowlisted part of `hostEnv`. Throws ConfigError when the
   * command asks for a variable no agent may have (a GitHub token), before anything runs.
   */
  command(command: AgentCommand, hostEnv: Readonly<Record<string, string | undefined>>): Agent;
  /**
   * What `<executable> --version` prints (its first line with a version number), run with the
   * agent's allowlisted environment in `cwd`; null when it cannot be run or prints no version.
   */
  cliVersion(
    executable: string,
    hostEnv: Readonly<Record<string, string | undefined>>,
    cwd: string,
  ): Promise<string | null>;
}
