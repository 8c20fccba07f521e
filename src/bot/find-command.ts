import { visibleMarkdown } from '../runtime/app/render.js';

/**
 * Finds the command in a comment: the FIRST line a reader can see that starts with `/omk`. What a
 * reader cannot see does not count: HTML comments, collapsed `<details>` blocks, fenced code
 * (examples), quoted replies (`> /omk ...` repeats someone else's command) and indented code.
 * All scans are linear, so a hostile 64 KB body costs no more than a friendly one.
 */

export type FoundCommand =
  | { kind: 'none' }
  | { kind: 'command'; line: string }
  /** The line holds bidirectional controls: it may read differently from what it does. */
  | { kind: 'refused'; reason: 'bidi' };

const PREFIX = /^ {0,3}\/omk(?=\s|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
// Zero-width and other invisible characters that can hide a word boundary or split a flag.
const INVISIBLE = /[\u200b-\u200d\u2060-\u2064\ufeff\u00ad]/g;

export function findCommand(body: string): FoundCommand {
  const visible = visibleMarkdown(body);
  let fence: { char: string; length: number } | null = null;
  for (const raw of visible.split(/\r\n?|\n/)) {
    const fenceMatch = FENCE.exec(raw);
    if (fence !== null) {
      const marker = fenceMatch?.[1];
      if (marker?.[0] === fence.char && marker.length >= fence.length && raw.trim() === marker) fence = null;
      continue;
    }
    if (fenceMatch?.[1]) {
      fence = { char: fenceMatch[1][0] ?? '`', length: fenceMatch[1].length };
      continue;
    }
    const line = raw.replace(INVISIBLE, '');
    if (!PREFIX.test(line)) continue;
    if (BIDI.test(line)) return { kind: 'refused', reason: 'bidi' };
    return { kind: 'command', line: line.trim() };
  }
  return { kind: 'none' };
}
