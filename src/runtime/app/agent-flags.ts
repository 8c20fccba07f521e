import { SANDBOX_MODES, SANDBOX_NETWORKS } from '../sandbox/port.js';
import type { AgentChoice } from './agent.js';

/** A host's flat choices for a run's agent: its name, the sandbox mode, one network for all. */
export interface AgentFlags {
  agent?: string | undefined;
  sandbox?: string | undefined;
  sandboxNetwork?: string | undefined;
}

/**
 * The agent choice a host's flags ask for: one confined network given applies to agents and gates
 * alike; a sandbox mode or network the host did not check against the known ones is left to the
 * config (the host's own parser refuses it with its own words first).
 */
export function agentChoiceOf(flags: AgentFlags): AgentChoice {
  const sandbox = SANDBOX_MODES.find((mode) => mode === flags.sandbox);
  const network = SANDBOX_NETWORKS.find((choice) => choice === flags.sandboxNetwork);
  return {
    ...(flags.agent === undefined ? {} : { name: flags.agent }),
    ...(sandbox === undefined ? {} : { sandbox }),
    ...(network === undefined ? {} : { network: { agents: network, gates: network } }),
  };
}
