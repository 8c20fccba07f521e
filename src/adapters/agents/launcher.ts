import type { AgentLauncher } from '../../runtime/agents/port.js';
import type { ProcessRunner } from '../../runtime/ports.js';
import { createCommandAgent } from './command-agent.js';
import { createDemoAgent } from './demo-agent.js';

/** Agents as processes on this machine: what every front door hands the runtime's agent registry. */
export const agentLauncher: AgentLauncher = agentLauncherWith({});

/**
 * The same, with command agents run by `run` (transcripts bounded, runs confined as they ask;
 * default: runProcess).
 */
export function agentLauncherWith(options: { run?: ProcessRunner }): AgentLauncher {
  return {
    demo: createDemoAgent,
    command: (command, hostEnv) => createCommandAgent({ ...command, baseEnv: hostEnv, ...options }),
  };
}
