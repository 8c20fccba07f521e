import { agentEnvironment } from '../../runtime/agents/env.js';
import type { AgentLauncher } from '../../runtime/agents/port.js';
import { versionLine } from '../../runtime/doctor/agent-cli.js';
import type { ProcessRunner } from '../../runtime/ports.js';
import { runProcess } from '../process/run-process.js';
import { createCommandAgent } from './command-agent.js';
import { createDemoAgent } from './demo-agent.js';

/** `--version` answers at once; a CLI that does not within this is treated as unknown. */
const VERSION_TIMEOUT_MS = 15_000;

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
    cliVersion: async (executable, hostEnv, cwd) => {
      const result = await runProcess({
        argv: [executable, '--version'],
        cwd,
        env: agentEnvironment(hostEnv, []),
        timeoutMs: VERSION_TIMEOUT_MS,
        tailChars: 4_000,
      });
      if (result.spawnError !== null || result.timedOut || result.exitCode !== 0) return null;
      return versionLine(`${result.stdout}\n${result.tail}`);
    },
  };
}
