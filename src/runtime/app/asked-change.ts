import { UsageError } from '../errors.js';
import { changeTextProblem } from './change-requests.js';
import type { AppDeps } from './deps.js';
import { type ChangeRequest, type FixOutcome, type FixRequest, fixPullRequest } from './fix.js';

/** Where and when a change was asked: the host (`cli`), the clock's time, a random hex. */
export interface AskedAt {
  origin: string;
  now: string;
  hex: string;
}

/**
 * A change a person asks for directly (not a review comment): each ask is a new request, so asking
 * the same words again is a second fix, never "already handled"; its id is `<origin>:<time>:<hex>`
 * and nothing is replied to.
 */
export function askedChange(text: string, at: AskedAt): ChangeRequest {
  return { id: `${at.origin}:${at.now}:${at.hex}`, text, author: null, replyTo: null };
}

/**
 * The words of a change asked directly, as the host received them (one argument or several):
 * joined and trimmed; refused when empty (with the host's `empty` message, which shows its syntax)
 * or longer than a change may be.
 */
export function askedChangeText(words: readonly string[], empty: string): string {
  const text = words.join(' ').trim();
  const problem = changeTextProblem(text);
  if (problem?.problem === 'empty') throw new UsageError(empty);
  if (problem?.problem === 'too_long') {
    throw new UsageError(`The change asked for is ${problem.length} characters; at most ${problem.max}.`);
  }
  return text;
}

/** A change asked directly on one of the goal's PRs (`omk goal fix`): asked now, from `origin`. */
export interface AskedFixRequest extends Omit<FixRequest, 'requests'> {
  text: string;
  origin: string;
}

/** Fixes one PR of the goal with one change asked now: a new request, its id from the clock and a random hex. */
export function fixAskedChange(deps: AppDeps, request: AskedFixRequest): Promise<FixOutcome> {
  const { text, origin, ...fix } = request;
  const at = { origin, now: deps.store.deps.clock.nowIso(), hex: deps.randomHex() };
  return fixPullRequest(deps, { ...fix, requests: [askedChange(text, at)] });
}
