import { loadConfig } from '../config/load.js';
import type { RepoAgentSetting } from '../config/repo-settings.js';
import type { AgentChoice } from './agent.js';

/** The name a repository's command agent runs under (a custom agent beside `.omk/config.yml`'s). */
export const REPO_COMMAND_AGENT = 'repo-command';

/**
 * The run's agent from a repository setting the operator allowed (`repoAgentVerdict`): a name as
 * is, a command as a custom agent added to the checkout's `.omk/config.yml`. A command agent gets
 * no environment variables beyond the allowlisted ones, and its usage is not read.
 */
export async function repoAgentChoice(repoRoot: string, agent: RepoAgentSetting): Promise<AgentChoice> {
  if (typeof agent === 'string') return { name: agent };
  const loaded = await loadConfig(repoRoot);
  const agents = loaded.config.agents;
  return {
    name: REPO_COMMAND_AGENT,
    hostDefined: [REPO_COMMAND_AGENT],
    config: {
      ...loaded,
      config: {
        ...loaded.config,
        agents: {
          ...agents,
          custom: {
            ...agents.custom,
            [REPO_COMMAND_AGENT]: { argv: agent.command, prompt: agent.prompt, env: [], usage: 'none' },
          },
        },
      },
    },
  };
}
