// The cases of a table-driven test a change removed or rewrote: the rows of an `it.each([...])` /
// `test.each` table (JS) or of a `@pytest.mark.parametrize(...)` decorator (Python), each row a
// test the runner names and runs. A row removed without one added in its table is a test case
// gone; a row removed and another added is a case whose inputs or expectation changed (a weak
// agent's way to make a failing case pass by expecting the bug). Read from the whole file on both
// sides, as the rows are usually far below the `it.each(` or decorator line.

import type { DiffFile } from './diff.js';
import { type DeclaredAt, enclosingTest, fileSides, type Syntax } from './enclosing-test.js';
import { jsTableRows } from './js-test-scopes.js';

export interface TableCaseChange {
  /** The test the table belongs to, as declared (`adds %i + %i`, `test_add`). */
  test: string;
  /** Rows of the base no row of the head matches (whitespace and a trailing comma aside). */
  removed: string[];
  /** Rows of the head no row of the base matches. */
  added: string[];
}

const PARAMETRIZE = /^\s*@pytest\.mark\.parametrize\s*\(/;
/** A Python row: a tuple, list or dict, a `pytest.param(...)`, a number. */
const PY_ROW = /^\s*(?:[([{]|pytest\.param\s*\(|-?\d)/;
const SPACE_OUTSIDE_STRINGS = /(['"`])(?:\\.|(?!\1).)*\1|\s+/g;
const PY_SYNTAX: Syntax = { comment: /^\s*#/, decorator: /^\s*@/ };

/**
 * The tables of the file whose rows the change removed or rewrote, or null when the head's text
 * does not fit the diff (then only the hunks are known, and they rarely show the table's line).
 */
export function tableCaseChanges(
  file: DiffFile,
  language: 'js' | 'python',
  head: string | undefined,
  declaredAt: DeclaredAt,
): TableCaseChange[] | null {
  const sides = fileSides(file, head);
  if (sides === null) return null;
  const rowsOf = (lines: readonly string[]) =>
    language === 'js' ? jsTableRows(lines) : lines.map((_, index) => pythonRow(lines, index, declaredAt));
  const rows = { old: rowsOf(sides.old), new: rowsOf(sides.new) };
  const byTest = new Map<string, TableCaseChange>();
  for (const line of file.hunks.flat()) {
    if (line.kind === 'context') continue;
    const [side, number] =
      line.kind === 'added' ? (['new', line.newLine] as const) : (['old', line.oldLine] as const);
    const test = number === null ? null : rows[side][number - 1];
    if (test === null || test === undefined) continue;
    const entry = byTest.get(test) ?? { test, removed: [], added: [] };
    byTest.set(test, entry);
    (line.kind === 'added' ? entry.added : entry.removed).push(line.text.trim());
  }
  const changes: TableCaseChange[] = [];
  for (const entry of byTest.values()) {
    const added = entry.added.map(caseKey);
    const removed = entry.removed.map(caseKey);
    const gone = entry.removed.filter((row) => !consume(added, caseKey(row)));
    const fresh = entry.added.filter((row) => !consume(removed, caseKey(row)));
    if (gone.length > 0 || fresh.length > 0) changes.push({ test: entry.test, removed: gone, added: fresh });
  }
  return changes;
}

/** A row moved, re-spaced or given a trailing comma is the same case (spaces in strings count). */
export function caseKey(row: string): string {
  return row.replace(SPACE_OUTSIDE_STRINGS, (match) => (/^\s/.test(match) ? '' : match)).replace(/,$/, '');
}

/** Takes one `value` out of `pool`: whether there was one. */
export function consume(pool: string[], value: string): boolean {
  const at = pool.indexOf(value);
  if (at < 0) return false;
  pool.splice(at, 1);
  return true;
}

/** The test whose `@pytest.mark.parametrize(` decorator holds `lines[index]` as a row, or null. */
function pythonRow(lines: readonly string[], index: number, declaredAt: DeclaredAt): string | null {
  const text = lines[index] ?? '';
  if (!PY_ROW.test(text)) return null;
  const indent = indentOf(text);
  for (let above = index - 1; above >= 0; above--) {
    const line = lines[above] ?? '';
    if (line.trim() === '' || PY_SYNTAX.comment.test(line)) continue;
    const at = indentOf(line);
    if (at >= indent) continue;
    if (PARAMETRIZE.test(line)) return enclosingTest(lines, above, declaredAt, PY_SYNTAX);
    // Out of the decorator: a statement, a def, another decorator at its level.
    if (at === 0 || /^\s*(?:@|def\s|async\s|class\s)/.test(line)) return null;
  }
  return null;
}

function indentOf(text: string): number {
  return /^\s*/.exec(text)?.[0].length ?? 0;
}
