import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { agentLauncher } from '../adapters/agents/launcher.js';
import { createGitWorkspaces } from '../adapters/git/workspaces.js';
import { runProcess } from '../adapters/process/run-process.js';
import type { AgentsConfig } from '../runtime/agents/config.js';
import type { Agent } from '../runtime/agents/port.js';
import { resolveAgent } from '../runtime/agents/registry.js';
import { type LoadedConfig, loadConfig, parseConfig } from '../runtime/config/load.js';
import type { ControllerDeps } from '../runtime/controller/context.js';
import { UsageError } from '../runtime/errors.js';
import { detectGates } from '../runtime/gates/detect.js';
import { gateEnvironment } from '../runtime/gates/env.js';
import { createGateVerifier } from '../runtime/gates/verify.js';
import type { GoalRecord } from '../runtime/goal/schema.js';
import { workspacesDir } from '../runtime/state/paths.js';
import type { ActionRuntime } from './compose.js';

const MAX_CONFIG_BYTES = 256 * 1024;

/** The agent for a run, resolved before any goal state is written, and the config it came from. */
export interface PreparedAgent {
  spec: string;
  agent: Agent;
  config: LoadedConfig;
}

/** config-path (relative to working-directory), else the repository's .omk/config.yml. */
export async function loadActionConfig(
  repoRoot: string,
  configPath: string | undefined,
): Promise<LoadedConfig> {
  if (configPath === undefined) return loadConfig(repoRoot);
  const path = resolve(repoRoot, configPath);
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile() || info.size > MAX_CONFIG_BYTES) {
    throw new UsageError(
      info === null
        ? `config-path: '${configPath}' does not exist (looked at ${path}).`
        : `config-path: '${configPath}' is not a file of at most 256 KB.`,
      { hint: 'It is relative to working-directory. Example: config-path: .github/omk.yml' },
    );
  }
  return { config: parseConfig(await readFile(path, 'utf8'), configPath), path };
}

/**
 * The agent input, else the one the goal was created with, else agents.default from the config;
 * agent-args appended to its command. The token input never reaches it: agents get an allowlisted
 * environment and the runner removed the input from the process environment.
 */
export async function prepareAgent(rt: ActionRuntime, recorded: string | null): Promise<PreparedAgent> {
  const { inputs } = rt;
  const config = await loadActionConfig(rt.repoRoot, inputs.configPath);
  const spec = inputs.agent ?? recorded ?? config.config.agents.default;
  if (spec === undefined) {
    throw new UsageError(
      `agent: no agent given${config.path === null ? '' : ` and ${config.path} sets no agents.default`}.`,
      {
        hint: 'Name a preset (claude, codex, gemini, kimi, aider, opencode), script:./path, a custom agent from the config, or demo. Example: agent: claude',
      },
    );
  }
  const agents = withAgentArgs(config.config.agents, spec, inputs.agentArgs);
  const agent = resolveAgent(spec, {
    repoRoot: rt.repoRoot,
    config: agents,
    env: rt.env,
    launcher: agentLauncher,
  });
  return { spec, agent, config };
}

/**
 * agent-args as the config would give them: appended to a custom agent's argv, else to the
 * preset's or script's extra arguments. The built-in demo agent runs no command.
 */
export function withAgentArgs(agents: AgentsConfig, spec: string, args: readonly string[]): AgentsConfig {
  if (args.length === 0) return agents;
  if (spec === 'demo') {
    throw new UsageError('agent-args: the demo agent runs no command, so it takes no arguments.', {
      hint: 'Remove agent-args, or use an agent that runs a command. Example: agent: claude',
    });
  }
  const custom = agents.custom[spec];
  if (custom !== undefined) {
    return {
      ...agents,
      custom: { ...agents.custom, [spec]: { ...custom, argv: [...custom.argv, ...args] } },
    };
  }
  const settings = agents.settings[spec] ?? { extraArgs: [], env: [] };
  return {
    ...agents,
    settings: { ...agents.settings, [spec]: { ...settings, extraArgs: [...settings.extraArgs, ...args] } },
  };
}

/** A controller for this runner: the prepared agent, detected gates, worktrees under the state root. */
export async function composeController(
  rt: ActionRuntime,
  goal: GoalRecord,
  prepared: PreparedAgent,
): Promise<ControllerDeps> {
  const root = goal.repo.root;
  const files = await rt.repo.listFiles(root);
  return {
    store: rt.store,
    workspaces: createGitWorkspaces({ forceFallback: goal.options.sliceExecution === 'branch' }),
    agent: prepared.agent,
    verify: createGateVerifier(runProcess),
    gates: detectGates(root, files, prepared.config.config),
    gateEnv: gateEnvironment(rt.env),
    reporter: rt.reporter,
    workspaceRoot: workspacesDir(rt.store.deps.stateRoot),
  };
}
