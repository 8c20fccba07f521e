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
// Bounded attribute run: an unclosed `<details` must not make the scan quadratic.
const DETAILS_TAG = /<(\/?)details(?=[\s>/])[^>]{0,256}>/gi;

/** Removes `<!-- ... -->`; an unclosed comment hides the rest of the body, as it does on GitHub. */
export function stripHtmlComments(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = body.indexOf('<!--', at);
    if (start < 0) return out + body.slice(at);
    out += body.slice(at, start);
    const end = body.indexOf('-->', start + 4);
    if (end < 0) return out;
    at = end + 3;
  }
}

/** Removes `<details>...</details>` blocks (nested ones with them); an unclosed one hides the rest. */
export function stripDetails(body: string): string {
  let out = '';
  let at = 0;
  let depth = 0;
  let start = 0;
  for (const match of body.matchAll(DETAILS_TAG)) {
    const closing = match[1] === '/';
    if (!closing) {
      if (depth === 0) start = match.index;
      depth += 1;
    } else if (depth > 0) {
      depth -= 1;
      if (depth === 0) {
        out += body.slice(at, start);
        at = match.index + match[0].length;
      }
    }
  }
  return depth > 0 ? out + body.slice(at, start) : out + body.slice(at);
}

export function findCommand(body: string): FoundCommand {
  const visible = stripDetails(stripHtmlComments(body));
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
