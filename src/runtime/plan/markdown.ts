// Markdown layout for plan documents (prd.md, technical-plan.md, test-spec.md). Goals, clauses and
// planner notes are untrusted: cells and lines are escaped with markdown/untrusted.ts first.

import { code } from '../markdown/untrusted.js';

/** A table row; cells are already rendered with `text` or `code(value, true)`. */
export function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => (cell === '' ? ' ' : cell)).join(' | ')} |`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

/** Code spans joined by commas; `inTable` when the list is a table cell. */
export function codeList(values: readonly string[], inTable = false): string {
  return values.length === 0 ? '—' : values.map((value) => code(value, inTable)).join(', ');
}

/** Joins document lines with one trailing newline, so files end cleanly and compare equal. */
export function document(lines: readonly string[]): string {
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
