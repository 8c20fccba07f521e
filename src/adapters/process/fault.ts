import { FAULT_STEPS, type FaultStep, type HostInfo } from '../../runtime/ports.js';

/**
 * Test-only fault injection for the fault harness (test/faults, bench/faults.mjs):
 * `OMK_FAULT_AFTER_EVENT=<event type>[:n]` SIGKILLs this process right after the n-th (default
 * first) event of that type is appended to a goal's log, and `OMK_FAULT_AT=<step>[:n]` at the
 * n-th time the runtime reaches a step that appends no event (FAULT_STEPS), as a crash or
 * `kill -9` would. Nothing changes when neither is set; both are documented in docs/state.md
 * ("Fault injection").
 */
export function withFaultInjection(
  host: HostInfo,
  env: Readonly<Record<string, string | undefined>>,
): HostInfo {
  const fault = parseFault(env.OMK_FAULT_AFTER_EVENT);
  const step = parseFaultStep(env.OMK_FAULT_AT);
  if (fault === null && step === null) return host;
  const killer = (wanted: { type: string; n: number } | null) => {
    let seen = 0;
    return (type: string) => {
      if (wanted === null || type !== wanted.type) return;
      seen += 1;
      if (seen === wanted.n) process.kill(process.pid, 'SIGKILL');
    };
  };
  const afterEvent = killer(fault);
  const atStep = killer(step);
  return {
    ...host,
    afterEvents(types: readonly string[]): void {
      for (const type of types) afterEvent(type);
    },
    reached(name: FaultStep): void {
      atStep(name);
    },
  };
}

/** `type` or `type:n` (n ≥ 1); anything else turns injection off rather than guessing. */
export function parseFault(value: string | undefined): { type: string; n: number } | null {
  const match = /^([a-z_]+)(?::([1-9]\d*))?$/.exec(value ?? '');
  if (!match?.[1]) return null;
  return { type: match[1], n: match[2] === undefined ? 1 : Number(match[2]) };
}

/** As parseFault, for a step of FAULT_STEPS only (a misspelt step would never fire). */
export function parseFaultStep(value: string | undefined): { type: FaultStep; n: number } | null {
  const parsed = parseFault(value);
  const step = FAULT_STEPS.find((name) => name === parsed?.type);
  return parsed === null || step === undefined ? null : { type: step, n: parsed.n };
}
