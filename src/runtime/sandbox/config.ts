import { z } from 'zod';
import { type NetworkPolicy, SANDBOX_MODES, SANDBOX_NETWORKS, type SandboxMode } from './port.js';

/**
 * The network confined processes get unless the config says otherwise: agents talk to their
 * model's API; gates run the agent's code after it ended, and their results should depend on the
 * commit, not on what a server answers (see docs/security.md).
 */
export const DEFAULT_NETWORK: NetworkPolicy = { agents: 'open', gates: 'none' };

const networkSchema = z.enum(SANDBOX_NETWORKS);

const networkPolicySchema = z.union([
  networkSchema.describe('open, none or allow for agents and gates alike.'),
  z.strictObject({
    agents: networkSchema
      .default(DEFAULT_NETWORK.agents)
      .describe(
        "The agents' network (the planning agent's too): open (default; the model's API), none, or allow (only allowedHosts).",
      ),
    gates: networkSchema
      .default(DEFAULT_NETWORK.gates)
      .describe(
        "The gates' network: none (default; a loopback of their own), open or allow. A gate's own `network` wins.",
      ),
  }),
]);

/** A host the `allow` network's proxy reaches: `host` (port 443), `host:port`, or `*.domain`. */
const allowedHostSchema = z
  .string()
  .regex(
    /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/,
    {
      error: 'a host name, host:port or *.domain (for example api.anthropic.com)',
    },
  );

/** `.omk/config.yml` `sandbox`: a mode alone, or the mode and the network policy. */
export interface SandboxConfig {
  mode: SandboxMode;
  network: NetworkPolicy;
  /** What a confined process with network `allow` reaches, through omk's proxy. */
  allowedHosts: string[];
}

export const sandboxConfigSchema = z
  .union(
    [
      z.enum(SANDBOX_MODES),
      z.strictObject({
        mode: z.enum(SANDBOX_MODES).default('auto'),
        network: networkPolicySchema.optional(),
        allowedHosts: z
          .array(allowedHostSchema)
          .default([])
          .describe(
            "With network allow: the hosts reached through omk's HTTPS proxy, nothing else: `host` (port 443), `host:port`, `*.domain` (its subdomains).",
          ),
      }),
    ],
    {
      // A union's own message is "Invalid input": name what it takes.
      error: `a mode (${SANDBOX_MODES.join(', ')}), or an object with mode, network and allowedHosts`,
    },
  )
  .prefault('auto')
  .transform((value): SandboxConfig => {
    if (typeof value === 'string') return { mode: value, network: DEFAULT_NETWORK, allowedHosts: [] };
    const network = value.network ?? DEFAULT_NETWORK;
    return {
      mode: value.mode,
      network: typeof network === 'string' ? { agents: network, gates: network } : network,
      allowedHosts: value.allowedHosts,
    };
  })
  .describe(
    'Confine agents and gates (bubblewrap): auto uses it when this host can and otherwise runs unconfined and says so; required refuses to run without it; off never confines. As an object: `mode` (the same words), `network` (open, none or allow, or per kind: agents open by default, gates none by default) and `allowedHosts` (what allow reaches).',
  );
