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
            [REPO_COMMAND_AGENT]: {
              argv: agent.command,
              prompt: agent.prompt,
              env: [],
              home: [],
              usage: 'none',
            },
          },
        },
      },
    },
  };
}

/**
 * The agent a goal from a thread is planned with: the repository's named agent, else the
 * operator's (`operator`); a command agent does not plan, so none is named then.
 */
export function repoPlanningAgent(
  setting: RepoAgentSetting | undefined,
  operator: string | null,
): string | undefined {
  if (setting === undefined) return operator ?? undefined;
  return typeof setting === 'string' ? setting : undefined;
}

/** The agent a thread's run executes with: the repository's (one the operator allowed), else the operator's. */
export async function repoRunAgent(
  repoRoot: string,
  setting: RepoAgentSetting | undefined,
  operator: string | null,
): Promise<AgentChoice> {
  if (setting !== undefined) return repoAgentChoice(repoRoot, setting);
  return operator === null ? {} : { name: operator };
}
