/**
 * An agent CLI that cannot reach its provider often keeps running: it prints "Reconnecting…" or
 * "failed to lookup address" lines and retries for good (codex 0.171 without network: five
 * reconnects, then "Reconnecting... waiting for network" forever). Its output never stops, so the
 * start-up silence limit does not see it; this watch does.
 */

/** A line that says the agent could not reach the network (DNS, refused or reset connection). */
export const NETWORK_FAILURE =
  /failed to lookup address|name does not resolve|name or service not known|temporary failure in name resolution|\bENOTFOUND\b|\bEAI_AGAIN\b|\bECONNREFUSED\b|\bECONNRESET\b|\bENETUNREACH\b|\bEHOSTUNREACH\b|network (?:is )?unreachable|waiting for network|connection failed|failed to connect|unable to connect|cannot connect to (?:the )?api|reconnecting\.\.\./i;

/** Why the watch stopped the agent: the prefix `network:` then the last such line. */
export const NETWORK_STOP_PREFIX = 'network: ';

/**
 * A watch for the process runner: it sees the agent's output as it comes and returns a reason to
 * stop once every line for `limitMs` has been a network failure (the streak starts at the first
 * network line after any other line). Null while the agent is doing anything else.
 */
export function createNetworkWatch(limitMs: number, now: () => number): (text: string) => string | null {
  let partial = '';
  let streakStart: number | null = null;
  let lastFailure = '';
  return (text) => {
    const lines = (partial + text).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    const at = now();
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (NETWORK_FAILURE.test(line)) {
        streakStart ??= at;
        lastFailure = line.trim();
      } else {
        streakStart = null;
      }
    }
    if (streakStart === null || at - streakStart < limitMs) return null;
    const words = lastFailure.length > 300 ? `${lastFailure.slice(0, 300)}…` : lastFailure;
    return `${NETWORK_STOP_PREFIX}${words}`;
  };
}
