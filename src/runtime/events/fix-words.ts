import { formatDuration } from '../text/duration.js';
import type { FixProgress, FixState } from './fix-progress.js';

const STATE_WORDS: Record<FixState, string> = {
  pending: 'waiting to run',
  running: 'running',
  committed: 'committed; verifying the goal again',
  applied: 'applied',
  failed: 'failed',
};

/**
 * One review fix in words, the same for `omk goal watch` and the bot's status comment: `fix-1 for
 * PR #3 (review-comment:12): running, attempt 1; rate-limited, runs again in 20.0 s`. Without
 * `nowMs` (a comment has no clock) a rate limit reads as a wait without its countdown.
 */
export function fixWords(fix: FixProgress, nowMs: number | null = null): string {
  const requests = fix.requests.length === 0 ? '' : ` (${fix.requests.join(', ')})`;
  let words = `${fix.id} for PR #${fix.pr}${requests}: ${STATE_WORDS[fix.state]}`;
  if (fix.attempt > 0) words += `, attempt ${fix.attempt}`;
  if (fix.state === 'failed' && fix.why !== null) words += `: ${fix.why}`;
  const wait = rateLimitWords(fix.rateLimitedUntilMs, nowMs);
  return wait === null ? words : `${words}; ${wait}`;
}

/** A task waiting out a rate limit: `rate-limited, runs again in 20.0 s`; null when it is not. */
export function rateLimitWords(untilMs: number | null, nowMs: number | null): string | null {
  if (untilMs === null) return null;
  if (nowMs === null) return 'rate-limited, waiting to run its agent again';
  return `rate-limited, runs again in ${formatDuration(Math.max(0, untilMs - nowMs))}`;
}
