/**
 * Splits one command line into words the way people type them in a comment: whitespace separates,
 * "double" and 'single' quotes group (typographic “…” and ‘…’ too, as phones and some editors
 * insert them), a backslash escapes the next character. Nothing is expanded or evaluated: no
 * variables, no globs, no command substitution. The words are data for zod, never for a shell.
 */

export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; message: string; column: number };

/** Opening quote → the characters that close it, and whether backslash escapes work inside. */
const QUOTES: Readonly<Record<string, { close: string; escapes: boolean }>> = {
  '"': { close: '"', escapes: true },
  '“': { close: '”"', escapes: true },
  "'": { close: "'", escapes: false },
  '‘': { close: "’'", escapes: false },
};

/** Inside double quotes, a backslash escapes only these; elsewhere it stays (Windows paths). */
const ESCAPABLE_IN_DOUBLE = new Set(['"', '\\', '”']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\u00a0';
}

export function tokenize(line: string): TokenizeResult {
  const tokens: string[] = [];
  const chars = [...line];
  let current = '';
  // A token exists once any of its characters (or an empty pair of quotes) was seen.
  let inToken = false;
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (isSpace(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      i += 1;
      continue;
    }
    inToken = true;
    if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) {
        return { ok: false, message: 'The line ends with a lone backslash.', column: i + 1 };
      }
      current += next;
      i += 2;
      continue;
    }
    const quote = QUOTES[ch];
    if (quote === undefined) {
      current += ch;
      i += 1;
      continue;
    }
    const opened = i;
    i += 1;
    let closed = false;
    while (i < chars.length) {
      const inner = chars[i] as string;
      if (quote.close.includes(inner)) {
        closed = true;
        i += 1;
        break;
      }
      const next = chars[i + 1];
      if (quote.escapes && inner === '\\' && next !== undefined && ESCAPABLE_IN_DOUBLE.has(next)) {
        current += next;
        i += 2;
        continue;
      }
      current += inner;
      i += 1;
    }
    if (!closed) {
      return {
        ok: false,
        message: `The quote ${ch} opened at column ${opened + 1} is never closed.`,
        column: opened + 1,
      };
    }
  }
  if (inToken) tokens.push(current);
  return { ok: true, tokens };
}
