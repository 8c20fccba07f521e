import {
  allowRefusal,
  isDemoAgent,
  NETWORK_OPEN_HINT,
  type NetworkRequest,
  SANDBOX_OFF_WORDS,
} from '../sandbox/decide.js';
import type { SandboxMode } from '../sandbox/port.js';
import type { DoctorCheck, DoctorProbes, DoctorWords } from './types.js';

/** What ends an unconfined run's leftovers here, said after "agents and gates run unconfined". */
async function leftoversWords(probes: DoctorProbes): Promise<{ words: string; fix: string | null }> {
  const subreaper = await probes.subreaper();
  if (subreaper.available) {
    return { words: `; each run ends what it leaves running (subreaper: ${subreaper.tool})`, fix: null };
  }
  return {
    words: `; nothing ends what a run leaves running in a session of its own (no subreaper: ${subreaper.reason})`,
    fix: subreaper.hint,
  };
}

/** The way out of `auto`'s refusal that trusts the agents, its one-run option in the front door's words. */
function unconfinedTrustedHint(words: Pick<DoctorWords, 'sandboxOff'>): string {
  return `or, to declare the agents trusted, ${words.sandboxOff}: they then run unconfined, the proof noting the sandbox was off`;
}

/**
 * Whether agents and gates will run confined, as the config's `sandbox` asks: unavailable fails
 * under `required` (no agent would run) and warns under `auto` (only the demo agent would run,
 * unconfined), failing there too when the `agent` checked is another (its run would be refused). The
 * network isolation `sandbox.network: none` needs is said too: missing, it fails `required` and
 * warns `auto` when the config asks for it, and is only noted when it does not. `allow` without
 * allowed hosts or without its proxy bridge (socat) fails whatever the mode, as the run refuses it.
 */
export async function checkSandbox(
  mode: SandboxMode,
  probes: DoctorProbes,
  network: NetworkRequest,
  words: Pick<DoctorWords, 'sandboxOff'>,
  agent?: string,
): Promise<DoctorCheck> {
  const base = { id: 'sandbox', title: 'sandbox' };
  if (mode === 'off') {
    const leftovers = await leftoversWords(probes);
    const fix = 'set sandbox: auto in .omk/config.yml to confine them where this host can';
    return {
      ...base,
      status: 'warn',
      detail: `sandbox: off: agents and gates run unconfined (the proof says so: a line of its text and Markdown and of the PR bodies)${leftovers.words}`,
      fix: leftovers.fix === null ? fix : `${fix}; or ${leftovers.fix}`,
    };
  }
  const probed = await probes.sandbox();
  if (probed.available) {
    const { policy } = network;
    const words = `network: agents ${policy.agents}, gates ${policy.gates}`;
    // `allow` without its hosts or its proxy bridge (socat) is refused whatever the mode: no agent would run.
    const asksAllow = policy.agents === 'allow' || policy.gates === 'allow' || network.gateAsksAllow === true;
    const refused = asksAllow ? allowRefusal(network.allowedHosts ?? [], probed.proxy) : null;
    if (refused !== null) {
      return {
        ...base,
        status: 'fail',
        detail: `available (${probed.tool}), but ${refused.message} No agent would run.`,
        fix: refused.hint ?? NETWORK_OPEN_HINT,
      };
    }
    if (probed.network.isolated) {
      return {
        ...base,
        status: 'ok',
        detail: `available (${probed.tool}): agents and gates write only their worktree, credential stores hidden; network isolation available (${words})`,
      };
    }
    // `allow` is a network of its own too (and a proxy into it).
    const isolating = ['none', 'allow'];
    const asksNone =
      isolating.includes(policy.agents) || isolating.includes(policy.gates) || network.gateAsksNone === true;
    const noIsolation = `network isolation unavailable: ${probed.network.reason}`;
    if (!asksNone) {
      return {
        ...base,
        status: 'ok',
        detail: `available (${probed.tool}): agents and gates write only their worktree, credential stores hidden; ${noIsolation} (not needed: ${words})`,
      };
    }
    return {
      ...base,
      status: mode === 'required' ? 'fail' : 'warn',
      detail:
        mode === 'required'
          ? `available (${probed.tool}), but ${noIsolation}; sandbox: required with a network of none refuses to run agents`
          : `available (${probed.tool}), but ${noIsolation}; confined agents and gates share this host's network (sandbox: auto)`,
      fix: `run where bwrap can create a network namespace, or ${NETWORK_OPEN_HINT}`,
    };
  }
  if (mode === 'required') {
    return {
      ...base,
      status: 'fail',
      detail: `unavailable: ${probed.reason}; sandbox: required refuses to run agents`,
      fix: `${probed.hint}; ${SANDBOX_OFF_WORDS}${words.sandboxOff}`,
    };
  }
  // A warning, not a failure: the demo agent and the gates still run here (macOS has no sandbox),
  // but any other agent is refused before it starts, as `required` refuses every one: a failure
  // when the agent checked is one, since its run would be refused.
  const leftovers = await leftoversWords(probes);
  if (agent !== undefined && !isDemoAgent(agent)) {
    return {
      ...base,
      status: 'fail',
      detail: `unavailable: ${probed.reason}; under sandbox: auto omk runs no agent's code unconfined but its own demo's: ${agent} would be refused before it starts`,
      fix: `${probed.hint}; ${unconfinedTrustedHint(words)}${leftovers.fix === null ? '' : `; ${leftovers.fix}`}`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `unavailable: ${probed.reason}; under sandbox: auto only omk's demo agent runs here (unconfined, as gates do${leftovers.words}): any other agent is refused before it starts`,
    fix: `${probed.hint}; ${unconfinedTrustedHint(words)}${leftovers.fix === null ? '' : `; ${leftovers.fix}`}`,
  };
}
