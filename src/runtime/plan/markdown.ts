// Markdown escaping for user text in plan documents. Goals, clauses and planner notes are
// untrusted: a stray "|" would break a table row, "<!--" would hide the rest of a document from a
// reviewer, and "*" or "_" would change what a sentence appears to say.

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Inline text: one line, HTML-inert, Markdown punctuation shown literally. */
export function text(value: string): string {
  return oneLine(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]#|~]/g, (ch) => `\\${ch}`);
}

/**
 * An inline code span: the fence is longer than any backtick run inside, and "|" is escaped
 * because GitHub splits table cells before it parses code spans (it drops the backslash again).
 */
export function code(value: string): string {
  const line = oneLine(value).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A table row; cells are already rendered with `text` or `code`. */
export function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => (cell === '' ? ' ' : cell)).join(' | ')} |`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

export function codeList(values: readonly string[], empty = '—'): string {
  return values.length === 0 ? empty : values.map(code).join(', ');
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [
    hours > 0 ? `${hours} h` : '',
    minutes > 0 ? `${minutes} min` : '',
    seconds > 0 ? `${seconds} s` : '',
  ];
  return parts.filter((part) => part !== '').join(' ') || '0 s';
}

/** Joins document lines with one trailing newline, so files end cleanly and compare equal. */
export function document(lines: readonly string[]): string {
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
