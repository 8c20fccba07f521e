import { SANDBOX_OFF_HINT } from '../sandbox/decide.js';
import type { SandboxMode } from '../sandbox/port.js';
import type { DoctorCheck, DoctorProbes } from './types.js';

/**
 * Whether agents and gates will run confined, as the config's `sandbox` asks: unavailable fails
 * under `required` (no agent would run) and warns under `auto` (they would run unconfined).
 */
export async function checkSandbox(mode: SandboxMode, probes: DoctorProbes): Promise<DoctorCheck> {
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
    return {
      ...base,
      status: 'ok',
      detail: `available (${probed.tool}): agents and gates write only their worktree, credential stores hidden`,
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
