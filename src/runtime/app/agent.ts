import type { AgentsConfig } from '../agents/config.js';
import { findCredentials } from '../agents/credentials.js';
import type { Agent } from '../agents/port.js';
import type { AgentPreset } from '../agents/presets.js';
import { presetOf, resolveAgent } from '../agents/registry.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { AgentUnavailableError, RequestError, UsageError } from '../errors.js';
import { decideSandbox, networkRequestOf, sandboxFromEnv } from '../sandbox/decide.js';
import type { NetworkPolicy, SandboxDecision, SandboxMode, SandboxPort } from '../sandbox/port.js';
import { untrustedCustomAgent, untrustedCustomAgentError } from './agent-trust.js';
import type { AppDeps } from './deps.js';

/** Which agent a run asks for; the rest comes from the goal and the repository's config. */
export interface AgentChoice {
  /** The agent named for this run (a flag, an input, the app's setting). */
  name?: string;
  /** The config in force, when the host loaded it from a path of its own. */
  config?: LoadedConfig;
  /** Arguments appended to the agent's command (the Action's agent-args). */
  extraArgs?: readonly string[];
  /** The sandbox asked for this run (a flag, an input); else the config's `sandbox`. */
  sandbox?: SandboxMode;
  /** The confined network asked for this run (the Action's sandbox-network); else `sandbox.network`. */
  network?: NetworkPolicy;
  /**
   * Custom agents the front door itself added to `config` (a command the operator allowed):
   * trusted even where the repository's own custom agents are not.
   */
  hostDefined?: readonly string[];
}

/** The agent for a run, resolved before anything runs, and the config it came from. */
export interface PreparedAgent {
  spec: string;
  agent: Agent;
  config: LoadedConfig;
  /** Whether this run's agents and gates are confined, decided before anything runs. */
  sandbox: SandboxDecision;
}

/**
 * One rule for every front door: the agent named for this run, else the one the goal was created
 * with, else agents.default from the config. An unknown or missing agent is refused here, before
 * a goal is created or a controller starts, and so is a host that cannot confine under `required`,
 * or under `auto` for an agent other than the demo. `gatesOnly`: the run starts no agent (verify,
 * review), but its gates run the agent's change, so `auto` refuses that the same way.
 */
export async function prepareAgent(
  deps: Pick<AppDeps, 'env' | 'words' | 'execution' | 'reporter' | 'repoCustomAgents'>,
  repoRoot: string,
  choice: AgentChoice,
  recorded: string | null,
  { gatesOnly = false }: { gatesOnly?: boolean } = {},
): Promise<PreparedAgent> {
  const config = choice.config ?? (await loadConfig(repoRoot));
  const spec = choice.name ?? recorded ?? config.config.agents.default;
  if (spec === undefined || spec === '') {
    throw new UsageError(
      `No agent selected for this goal${config.path === null ? '' : ` and ${config.path} sets no agents.default`}.`,
      {
        hint: `Name one with ${deps.words.fields.given('agent', 'claude')}: a preset (claude, codex, gemini, kimi, aider, opencode), script:./fix.sh, a custom agent from .omk/config.yml, or demo (the offline demo agent); or set agents.default in .omk/config.yml.`,
      },
    );
  }
  const untrusted = untrustedCustomAgent(
    deps.repoCustomAgents,
    { repoRoot, config },
    [spec],
    choice.hostDefined,
  );
  if (untrusted !== null) throw untrustedCustomAgentError(untrusted);
  const agents = withAgentArgs(config.config.agents, spec, choice.extraArgs ?? []);
  const preset = presetOf(spec, agents);
  if (preset !== undefined) preflightCredentials(preset, deps.env);
  // Only presets whose flags changed across versions ask the CLI which version it is.
  const cliVersion =
    preset?.olderArgv === undefined || preset.olderArgv.length === 0
      ? null
      : await deps.execution.agents.cliVersion(preset.argv[0] ?? preset.name, deps.env, repoRoot);
  const agent = resolveAgent(spec, {
    repoRoot,
    config: agents,
    env: deps.env,
    launcher: deps.execution.agents,
    cliVersion,
  });
  const sandbox = await decideSandbox(
    hostSandbox(deps),
    choice.sandbox ?? sandboxFromEnv(deps.env) ?? config.config.sandbox.mode,
    deps.reporter,
    networkRequestOf(config.config, choice.network),
    await deps.execution.subreaper?.(),
    { spec, starts: !gatesOnly },
  );
  return { spec, agent, config, sandbox };
}

/** The host's sandbox; a host composed without one cannot confine. */
export function hostSandbox(deps: Pick<AppDeps, 'execution'>): SandboxPort {
  return deps.execution.sandbox ?? NO_SANDBOX;
}

const NO_SANDBOX: SandboxPort = {
  probe: async () => ({
    available: false,
    reason: 'this host runs agents without a sandbox',
    hint: 'run omk from the CLI or the Action on Linux with bubblewrap installed',
  }),
};

/**
 * A preset CLI that needs a login and would not say it has none (codex retries its provider for
 * minutes) is stopped here, before a goal exists or any agent starts, naming what is missing.
 */
function preflightCredentials(preset: AgentPreset, env: AppDeps['env']): void {
  if (preset.login?.preflight !== 'stop') return;
  const finding = findCredentials(preset, env);
  if (finding.missing === null) return;
  throw new AgentUnavailableError(
    `The agent ${preset.name} (${preset.argv[0] ?? preset.name} CLI) cannot run here: it has no credentials (${finding.missing}), so nothing was started.`,
    {
      hint: `${finding.how.charAt(0).toUpperCase()}${finding.how.slice(1)}; then run the same command again.`,
    },
  );
}

/**
 * Extra arguments as the config would give them: appended to a custom agent's argv, else to the
 * preset's or script's extra arguments. The built-in demo agent runs no command.
 */
export function withAgentArgs(agents: AgentsConfig, spec: string, args: readonly string[]): AgentsConfig {
  if (args.length === 0) return agents;
  if (spec === 'demo') {
    throw new RequestError([{ code: 'takes_no_args', field: 'agentArgs', agent: spec, example: 'claude' }]);
  }
  const custom = agents.custom[spec];
  if (custom !== undefined) {
    return {
      ...agents,
      custom: { ...agents.custom, [spec]: { ...custom, argv: [...custom.argv, ...args] } },
    };
  }
  const settings = agents.settings[spec] ?? { extraArgs: [], env: [], home: [] };
  return {
    ...agents,
    settings: { ...agents.settings, [spec]: { ...settings, extraArgs: [...settings.extraArgs, ...args] } },
  };
}
