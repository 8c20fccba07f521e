/** How often a goal running here reads the state branch when the host names no interval: 15 s. */
export const DEFAULT_SHARED_POLL_MS = 15_000;

/**
 * How often a running goal reads the state branch for a pause, a cancel or a budget extension:
 * `OMK_STATE_POLL_MS` when it is a whole number of at least 100 ms, else every 15 s (a smaller
 * value would spend the host's API limits on reads; anything else is not an interval).
 */
export function sharedPollMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.OMK_STATE_POLL_MS;
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value >= 100 ? value : DEFAULT_SHARED_POLL_MS;
}
