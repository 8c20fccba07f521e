import type { AgentLauncher } from '../../runtime/agents/port.js';
import { createCommandAgent } from './command-agent.js';
import { createDemoAgent } from './demo-agent.js';

/** Agents as processes on this machine: what every front door hands the runtime's agent registry. */
export const agentLauncher: AgentLauncher = agentLauncherWith({});

/** The same, with transcripts that keep at most `logMaxBytes` of each run's output. */
export function agentLauncherWith(options: { logMaxBytes?: number }): AgentLauncher {
  return {
    demo: createDemoAgent,
    command: (command, hostEnv) => createCommandAgent({ ...command, baseEnv: hostEnv, ...options }),
  };
}
