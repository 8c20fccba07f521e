/**
 * What a reader of GitHub-flavoured Markdown does not see, taken out of a body: HTML comments and
 * collapsed `<details>` blocks. Linear scans, so a hostile 64 KB body costs no more than a friendly
 * one. A host reading commands or requests from a comment reads only what people can see.
 */

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

/** The body without what a reader cannot see: its HTML comments, then its `<details>` blocks. */
export function visibleMarkdown(body: string): string {
  return stripDetails(stripHtmlComments(body));
}
