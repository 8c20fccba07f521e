import { AgentUnavailableError, ConfigError } from '../errors.js';
import type { Hint } from '../next-steps.js';
import type { Reporter } from '../ports.js';
import { DEFAULT_NETWORK } from './config.js';
import {
  type NetworkPolicy,
  SANDBOX_MODES,
  type SandboxDecision,
  type SandboxMode,
  type SandboxPort,
  type SubreaperState,
} from './port.js';

/** The refusal's way out that runs agents unconfined, before its step (each door words where to set it). */
export const SANDBOX_OFF_WORDS = 'or, to declare the agents trusted, run them unconfined: ';

/** The refusal's way out that runs agents unconfined, its one-run command a step each front door spells. */
export const SANDBOX_OFF_HINT: Hint = [SANDBOX_OFF_WORDS, { step: 'run_sandbox_off' }];

/**
 * OMK_SANDBOX: this machine's choice over the config's (a CI image without user namespaces, a
 * test suite); a run's flag or input still wins. Anything but auto, required or off is refused.
 */
export function sandboxFromEnv(env: Readonly<Record<string, string | undefined>>): SandboxMode | undefined {
  const raw = env.OMK_SANDBOX;
  if (raw === undefined || raw === '') return undefined;
  if ((SANDBOX_MODES as readonly string[]).includes(raw)) return raw as SandboxMode;
  throw new ConfigError(
    `OMK_SANDBOX must be auto, required or off (got ${JSON.stringify(raw.slice(0, 40))}).`,
    {
      hint: "Set OMK_SANDBOX=auto, required or off, or unset it to use the config's sandbox.",
    },
  );
}

/** The network policy asked for, and whether anything (a gate of its own) asks for `none`. */
export interface NetworkRequest {
  policy: NetworkPolicy;
  /** A gate's own `network: none` (or `allow`), which needs an isolated network as the policy's does. */
  gateAsksNone?: boolean;
  /** A gate's own `network: allow`, which needs the proxy and the allowed hosts as the policy's does. */
  gateAsksAllow?: boolean;
  /** `sandbox.allowedHosts`: what `allow` reaches. */
  allowedHosts?: readonly string[];
}

/**
 * What a loaded config asks of the network: `sandbox.network` (or the run's own policy, an input
 * over the config), and any gate's own `network: none`.
 */
export function networkRequestOf(
  config: {
    sandbox: { network: NetworkPolicy; allowedHosts?: readonly string[] };
    gates: { list: readonly { network?: string | undefined }[] };
  },
  asked?: NetworkPolicy,
): NetworkRequest {
  return {
    policy: asked ?? config.sandbox.network,
    gateAsksNone: config.gates.list.some((gate) => gate.network === 'none' || gate.network === 'allow'),
    gateAsksAllow: config.gates.list.some((gate) => gate.network === 'allow'),
    ...(config.sandbox.allowedHosts === undefined ? {} : { allowedHosts: config.sandbox.allowedHosts }),
  };
}

/**
 * The agent whose code a run executes: started by it, or only run by its gates (`verify` and
 * `review` start no agent, but their gates run the tests the goal's agent wrote).
 */
export interface AgentToConfine {
  spec: string;
  starts: boolean;
}

/**
 * Whether this run's agents and gates are confined. `off` never asks the host; `required` refuses
 * where the host cannot confine, before any agent runs; so does `auto` for an `agent` other than
 * omk's own demo, started or run by gates (unconfined, its code would read what the sandbox hides:
 * the credential stores, the runner's files), and runs the demo's, or gates alone (no `agent`),
 * unconfined, saying so. The network is the policy's where the host can isolate one; where it
 * cannot, `required` refuses a policy with `none` and `auto` shares the host's network with
 * everything, and says so.
 */
export async function decideSandbox(
  port: SandboxPort,
  mode: SandboxMode,
  reporter: Pick<Reporter, 'warn'>,
  network: NetworkRequest = { policy: DEFAULT_NETWORK },
  subreaper?: SubreaperState,
  agent?: AgentToConfine,
): Promise<SandboxDecision> {
  if (mode === 'off') {
    return {
      mode,
      active: false,
      reason: `the sandbox is off: agents and gates run unconfined${leftoverWords(subreaper)}`,
    };
  }
  const probed = await port.probe();
  if (probed.available) {
    const { policy } = network;
    const asksAllow = policy.agents === 'allow' || policy.gates === 'allow' || network.gateAsksAllow === true;
    const allowedHosts = network.allowedHosts ?? [];
    const refused = asksAllow ? allowRefusal(allowedHosts, probed.proxy) : null;
    if (refused !== null) throw refused;
    const isolating = ['none', 'allow'];
    const asksNone =
      isolating.includes(policy.agents) || isolating.includes(policy.gates) || network.gateAsksNone === true;
    let granted = policy;
    let networkWords = `network: agents ${policy.agents}, gates ${policy.gates}${asksAllow ? ` (allowed: ${allowedHosts.join(', ')})` : ''}`;
    if (asksNone && !probed.network.isolated) {
      if (mode === 'required') {
        throw new ConfigError(
          `sandbox: required with a network of none, but this host cannot isolate a network: ${probed.network.reason}.`,
          { hint: [`${NETWORK_OPEN_HINT}; `, ...SANDBOX_OFF_HINT, '.'] },
        );
      }
      reporter.warn(
        `confined agents and gates share this host's network: it cannot isolate one (${probed.network.reason})`,
      );
      granted = { agents: 'open', gates: 'open' };
      networkWords = `network: open for all (this host cannot isolate one: ${probed.network.reason})`;
    }
    return {
      mode,
      active: true,
      // No path of this machine: the reason goes into the proof.
      reason: `bubblewrap: writes confined to the worktree, credential stores hidden, processes end with the run; ${networkWords}`,
      network: granted,
      isolatesNetwork: probed.network.isolated,
      ...(asksAllow && probed.network.isolated ? { allowedHosts } : {}),
    };
  }
  if (mode === 'required') {
    // This machine cannot run the goal as asked (exit 6, as an agent CLI that cannot run).
    throw new AgentUnavailableError(
      `sandbox: required, but this host cannot confine agents: ${probed.reason}.`,
      {
        hint: [`${probed.hint}; `, ...SANDBOX_OFF_HINT, '.'],
      },
    );
  }
  if (agent !== undefined && !isDemoAgent(agent.spec)) {
    const refused = agent.starts
      ? `${agent.spec} was not started`
      : `the gates would run ${agent.spec}'s change, so none was started`;
    throw new AgentUnavailableError(
      `This host cannot confine agents (${probed.reason}), and under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${refused}.`,
      { hint: [`${probed.hint}; `, ...SANDBOX_OFF_HINT, '.'] },
    );
  }
  reporter.warn(`agents and gates run unsandboxed: ${probed.reason} (${probed.hint})`);
  return { mode, active: false, reason: `unsandboxed: ${probed.reason}${leftoverWords(subreaper)}` };
}

/** What ends an unconfined run's leftovers, said after the decision's reason (nothing when not known). */
function leftoverWords(subreaper: SubreaperState | undefined): string {
  if (subreaper === undefined) return '';
  return subreaper.available
    ? '; each run ends what it leaves running (subreaper)'
    : `; nothing ends what a run leaves running in a session of its own (no subreaper: ${subreaper.reason})`;
}

/**
 * `allow` reaches only what `sandbox.allowedHosts` lists, through a proxy socat bridges into the
 * sandbox: without either, refused whatever the mode (falling back to `open` would widen what the
 * config asked, to `none` would leave an agent without its model). Null when `allow` can run; the
 * run throws the refusal, `omk doctor` reports it.
 */
export function allowRefusal(
  allowedHosts: readonly string[],
  proxy: { available: boolean; reason?: string } | undefined,
): ConfigError | null {
  if (allowedHosts.length === 0) {
    return new ConfigError(
      'sandbox.network: allow, but sandbox.allowedHosts lists no host, so nothing could be reached.',
      {
        hint: 'List the hosts in .omk/config.yml, e.g. `sandbox: { network: { agents: allow }, allowedHosts: [api.anthropic.com] }`, or set sandbox.network to open or none.',
      },
    );
  }
  if (proxy !== undefined && !proxy.available) {
    return new ConfigError(
      `sandbox.network: allow, but this host cannot run its proxy bridge: ${proxy.reason ?? 'socat is missing'}.`,
      {
        hint: 'install socat (apt-get install socat), or set sandbox.network to open or none in .omk/config.yml.',
      },
    );
  }
  return null;
}

/** The decision as a line of decisions.jsonl (kind `sandbox`), which the proof carries. */
export function sandboxDecisionRecord(decision: SandboxDecision): {
  kind: string;
  decision: string;
  reason: string;
} {
  return {
    kind: SANDBOX_DECISION_KIND,
    // `off` is the user's choice; `unsandboxed` is a host that could not confine what was asked.
    decision: decision.active ? 'sandboxed' : decision.mode === 'off' ? 'off' : 'unsandboxed',
    reason: `sandbox: ${decision.mode}; ${decision.reason}`,
  };
}

export const SANDBOX_DECISION_KIND = 'sandbox';

/** The refusal's way out when a host cannot isolate a network, in the config file's words. */
export const NETWORK_OPEN_HINT =
  "set `sandbox.network: open` in .omk/config.yml (and no gate `network: none`) to share the host's network";

/**
 * The proof's warnings about confinement: one when a run of the goal had its agents and gates
 * unconfined because the host could not confine them (`auto` fell back). A goal with no sandbox decision (made before omk had one) gets none, so its proof and
 * digest are unchanged.
 */
export function sandboxWarnings(
  decisions: readonly { kind: string; decision: string; reason: string }[],
): string[] {
  const unconfined = decisions.filter(
    (d) => d.kind === SANDBOX_DECISION_KIND && d.decision === 'unsandboxed',
  );
  const last = unconfined.at(-1);
  if (last === undefined) return [];
  return [
    `Agents and gates ran unsandboxed (${last.reason}): nothing confined what they could read or write.`,
  ];
}

/** The built-in demo agent's name in agent runs: omk's own deterministic code, not an agent's. */
const DEMO_AGENT = 'demo';

/** Whether an agent spec names omk's own demo agent, the one agent `auto` starts unconfined. */
export function isDemoAgent(spec: string): boolean {
  return spec.trim() === DEMO_AGENT;
}

/**
 * Whether an agent may start under a decision already made: confined, unconfined by the user's
 * choice (`off`), or omk's own demo agent. Under `auto` on a host that cannot confine, no other
 * agent starts (`decideSandbox` refuses it; this is for an agent a decision made for another one
 * would cover, such as a planning agent other than the run's).
 */
export function mayStartAgent(decision: SandboxDecision, spec: string): boolean {
  return decision.active || decision.mode === 'off' || isDemoAgent(spec);
}

/**
 * The agents (each once, in running order) that ran while a run of the goal had the sandbox fall
 * back (`auto` on a host that could not confine, decision `unsandboxed`), but for the built-in demo
 * agent. None when no run fell back, or when only the demo agent ran. Read from the decisions and
 * agent runs the proof carries, so the proof and its digest are the same wherever it is rebuilt.
 */
export function unconfinedAgents(
  decisions: readonly { kind: string; decision: string }[],
  agentRuns: readonly { agent: string }[],
): string[] {
  const fellBack = decisions.some((d) => d.kind === SANDBOX_DECISION_KIND && d.decision === 'unsandboxed');
  if (!fellBack) return [];
  return [...new Set(agentRuns.map((run) => run.agent).filter((agent) => agent !== DEMO_AGENT))];
}

/**
 * The proof's note for a goal a run of which had its agents and gates unconfined by the user's
 * choice (`off`): one line, shown by the proof's text and Markdown and the PR bodies, never a
 * warning (it changes no verdict). Read from the decisions, so the proof and its digest are the same.
 */
export function sandboxOffNote(decisions: readonly { kind: string; decision: string }[]): string | null {
  const off = decisions.some((d) => d.kind === SANDBOX_DECISION_KIND && d.decision === 'off');
  return off
    ? "Agents and gates ran unsandboxed: sandbox off, by the user's choice (nothing confined what they could read or write)."
    : null;
}
