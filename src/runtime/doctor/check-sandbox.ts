import { DEFAULT_NETWORK } from '../sandbox/config.js';
import { allowRefusal, NETWORK_OPEN_HINT, type NetworkRequest, SANDBOX_OFF_HINT } from '../sandbox/decide.js';
import type { SandboxMode } from '../sandbox/port.js';
import type { DoctorCheck, DoctorProbes } from './types.js';

/**
 * Whether agents and gates will run confined, as the config's `sandbox` asks: unavailable fails
 * under `required` (no agent would run) and warns under `auto` (they would run unconfined). The
 * network isolation `sandbox.network: none` needs is said too: missing, it fails `required` and
 * warns `auto` when the config asks for it, and is only noted when it does not. `allow` without
 * allowed hosts or without its proxy bridge (socat) fails whatever the mode, as the run refuses it.
 */
export async function checkSandbox(
  mode: SandboxMode,
  probes: DoctorProbes,
  network: NetworkRequest = { policy: DEFAULT_NETWORK },
): Promise<DoctorCheck> {
  const base = { id: 'sandbox', title: 'sandbox' };
  if (mode === 'off') {
    return {
      ...base,
      status: 'warn',
      detail: 'sandbox: off: agents and gates run unconfined (the proof says so)',
      fix: 'set sandbox: auto in .omk/config.yml to confine them where this host can',
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
  return {
    ...base,
    status: mode === 'required' ? 'fail' : 'warn',
    detail:
      mode === 'required'
        ? `unavailable: ${probed.reason}; sandbox: required refuses to run agents`
        : `unavailable: ${probed.reason}; agents and gates run unconfined (sandbox: auto)`,
    fix: `${probed.hint}; ${SANDBOX_OFF_HINT}`,
  };
}
