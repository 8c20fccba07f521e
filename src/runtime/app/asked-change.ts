import type { ChangeRequest } from './fix.js';

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
