import type { HostInfo } from '../../runtime/ports.js';

/**
 * Test-only fault injection for the fault harness (test/faults, bench/faults.mjs):
 * `OMK_FAULT_AFTER_EVENT=<event type>[:n]` SIGKILLs this process right after the n-th (default
 * first) event of that type is appended to a goal's log, as a crash or `kill -9` would. Nothing
 * changes when the variable is unset; it is documented in docs/state.md ("Fault injection").
 */
export function withFaultInjection(
  host: HostInfo,
  env: Readonly<Record<string, string | undefined>>,
): HostInfo {
  const fault = parseFault(env.OMK_FAULT_AFTER_EVENT);
  if (fault === null) return host;
  let seen = 0;
  return {
    ...host,
    afterEvents(types: readonly string[]): void {
      for (const type of types) {
        if (type !== fault.type) continue;
        seen += 1;
        if (seen === fault.n) process.kill(process.pid, 'SIGKILL');
      }
    },
  };
}

/** `type` or `type:n` (n ≥ 1); anything else turns injection off rather than guessing. */
export function parseFault(value: string | undefined): { type: string; n: number } | null {
  const match = /^([a-z_]+)(?::([1-9]\d*))?$/.exec(value ?? '');
  if (!match?.[1]) return null;
  return { type: match[1], n: match[2] === undefined ? 1 : Number(match[2]) };
}
