import { type AgentChoice, agentChoiceOf, shownBranch, UsageError } from '../runtime/app/index.js';
import { type LoadedConfig, loadConfig, loadNamedConfig } from '../runtime/app/ports.js';
import type { ActionInputs } from './inputs.js';

/**
 * config-path (relative to working-directory), else the repository's .omk/config.yml; with
 * workspace-setup in place of its `workspace.setup` when the input is given.
 */
export async function loadActionConfig(
  repoRoot: string,
  inputs: Pick<ActionInputs, 'configPath' | 'workspaceSetup'>,
): Promise<LoadedConfig> {
  const loaded = await loadConfigAt(repoRoot, inputs.configPath);
  const setup = inputs.workspaceSetup;
  if (setup === undefined) return loaded;
  const { config } = loaded;
  return { ...loaded, config: { ...config, workspace: { ...config.workspace, setup } } };
}

async function loadConfigAt(repoRoot: string, configPath: string | undefined): Promise<LoadedConfig> {
  if (configPath === undefined) return loadConfig(repoRoot);
  const named = await loadNamedConfig(repoRoot, configPath);
  if (named.ok) return named.loaded;
  const shown = shownBranch(configPath);
  const messages = {
    missing: `config-path: '${shown}' does not exist (looked at ${shownBranch(named.path)}).`,
    outside: `config-path: '${shown}' is not a file inside the repository.`,
    not_a_file: `config-path: '${shown}' is not a regular file (a directory?): name the config file itself.`,
    too_large: `config-path: '${shown}' is larger than 256 KB, the most a config file may hold.`,
  };
  throw new UsageError(messages[named.problem], {
    hint: 'It is relative to working-directory. Example: config-path: .github/omk.yml',
  });
}

/**
 * The agent, sandbox and sandbox-network inputs as the CLI's flags are read (`agentChoiceOf`), with
 * agent-args and the config from config-path. The token input never reaches the agent: agents get
 * an allowlisted environment and the runner removed the input from the process environment.
 */
export async function agentChoice(repoRoot: string, inputs: ActionInputs): Promise<AgentChoice> {
  const config = await loadActionConfig(repoRoot, inputs);
  return { ...agentChoiceOf(inputs), config, extraArgs: inputs.agentArgs };
}
