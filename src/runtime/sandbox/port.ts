/** How agents and gates are confined: `.omk/config.yml` `sandbox`, a flag or an input. */
export const SANDBOX_MODES = ['auto', 'required', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * What a confined process may reach on the network: `open` shares the host's (an agent talks to
 * its model's API); `none` gives it a network of its own with only a loopback interface; `allow`
 * the same, plus an HTTPS proxy that reaches only `sandbox.allowedHosts`.
 */
export const SANDBOX_NETWORKS = ['open', 'none', 'allow'] as const;
export type SandboxNetwork = (typeof SANDBOX_NETWORKS)[number];

/** The network of agents (and the planning agent) and of gates, as `sandbox.network` sets them. */
export interface NetworkPolicy {
  agents: SandboxNetwork;
  gates: SandboxNetwork;
}

/** Whether a confined process can be given a network of its own, and in words why not. */
export type NetworkIsolation = { isolated: true } | { isolated: false; reason: string };

/** Whether this host can confine processes, and in words why not. */
export type SandboxAvailability =
  | {
      available: true;
      tool: string;
      network: NetworkIsolation;
      /** Whether `network: allow`'s bridge (socat) can run; absent: not asked. */
      proxy?: { available: true } | { available: false; reason: string };
    }
  | { available: false; reason: string; hint: string };

/**
 * The supervisor unconfined agents and gates run under: once a run ends, it ends whatever the run
 * left running (docs/security.md). Unavailable: not Linux, no perl, prctl refused.
 */
export type SubreaperState =
  | { available: true; tool: string }
  | { available: false; reason: string; hint: string };

/** The host's sandbox: what the runtime asks before it decides; adapters do the confining. */
export interface SandboxPort {
  /** Probes once per host (a tool on the PATH that can actually create its namespaces). */
  probe(): Promise<SandboxAvailability>;
}

/**
 * What a confined process may reach beyond the rest of the machine read-only: its working
 * directory and a private temporary directory are always writable; `writable` adds directories
 * (a goal's build cache); `readable` are directories it must still see where the host hides more
 * (the goal directory holding the prompt file, when the state root is under the runner's temp).
 */
export interface Confinement {
  writable: readonly string[];
  readable: readonly string[];
  /**
   * Directories inside a `writable` one that stay read-only (a gate's view of the download caches
   * in the goal's build cache): made first when missing, so that nothing in the run can make them.
   */
  readOnly?: readonly string[];
  /** Directories of omk's own it must not see at all (the state root's `private/`: a stashed credential). */
  hidden?: readonly string[];
  /** The host's network, or none but a loopback of its own, or that and a proxy (absent: open). */
  network?: SandboxNetwork;
  /** Under `allow`: the hosts (`host` for port 443, `host:port`, `*.domain`) the proxy reaches. */
  allowedHosts?: readonly string[];
}

/** What a run decided, recorded in the goal's decisions and shown in its proof. */
export interface SandboxDecision {
  mode: SandboxMode;
  /** True: every agent and gate process of this run is confined. */
  active: boolean;
  /** Why, in words (the tool, or why there is none, or that it was turned off). */
  reason: string;
  /**
   * The network confined agents and gates get (active only): the config's policy, or `open` for
   * both where `auto` found the host unable to isolate a network.
   */
  network?: NetworkPolicy;
  /** Whether a gate's own `network: none` can be had (active only); where not, it runs open. */
  isolatesNetwork?: boolean;
  /** What `allow` reaches (active, and `allow` asked for where the host isolates a network). */
  allowedHosts?: readonly string[];
}
