import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type AgentChoice, UsageError } from '../runtime/app/index.js';
import { type LoadedConfig, loadConfig, parseConfig } from '../runtime/app/ports.js';
import type { ActionRuntime } from './compose.js';

const MAX_CONFIG_BYTES = 256 * 1024;

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
 * The agent input with agent-args, and the config from config-path. The token input never reaches
 * the agent: agents get an allowlisted environment and the runner removed the input from the
 * process environment.
 */
export async function agentChoice(rt: ActionRuntime): Promise<AgentChoice> {
  const { inputs } = rt;
  return {
    ...(inputs.agent === undefined ? {} : { name: inputs.agent }),
    config: await loadActionConfig(rt.repoRoot, inputs.configPath),
    extraArgs: inputs.agentArgs,
  };
}
