/**
 * A duration as a person reads it, the one rule everywhere omk shows one (budgets, proofs, plans,
 * the live view, events, rate-limit waits): under a second in milliseconds (`450 ms`), under a
 * minute in seconds with one decimal (`1.5 s`), else days, hours, minutes and seconds written as
 * a duration flag takes them (`1h30m`, `2m5s`, `7d`).
 */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
