// Which test encloses a changed line of a test file, read from the whole file rather than from the
// three lines of context a hunk shows: a test nested in `describe(`, `class TestX:` or
// `mod tests {` is declared indented, and git's `@@` heading names only the last unindented line
// above the hunk (the describe, the class, the module), so an edit far below the test's own
// declaration is out of both. The head's file is read as it is; the base's is rebuilt from it and
// the hunks (a removed line's test is the one it was in on the base).

import type { DiffFile } from './diff.js';

/** The file's lines on the base and the head (1-based line N at index N-1). */
export interface FileSides {
  old: readonly string[];
  new: readonly string[];
}

/** Names the test declared at `lines[index]`, or null. */
export type DeclaredAt = (lines: readonly string[], index: number) => string | null;

/**
 * Both sides of a changed file, or null when the hunks do not fit the head's file (a diff cut
 * short, a file read from another tree): then only the hunks can say which test a line is in.
 */
export function fileSides(file: DiffFile, head: string | undefined): FileSides | null {
  if (file.status === 'deleted') {
    return {
      old: file.hunks.flat().flatMap((line) => (line.kind === 'removed' ? [line.text] : [])),
      new: [],
    };
  }
  if (head === undefined) return null;
  const lines = head.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const old: string[] = [];
  let next = 0;
  for (const hunk of file.hunks) {
    const firstNew = hunk.find((line) => line.newLine !== null)?.newLine ?? null;
    const firstOld = hunk.find((line) => line.oldLine !== null)?.oldLine ?? null;
    // The unchanged lines between the last hunk and this one are the head's.
    const until = firstNew !== null ? firstNew - 1 : next + (firstOld ?? 1) - 1 - old.length;
    if (until < next || until > lines.length) return null;
    old.push(...lines.slice(next, until));
    next = until;
    if (firstOld !== null && old.length !== firstOld - 1) return null;
    for (const line of hunk) {
      if (line.kind !== 'removed') {
        if (lines[next] !== line.text) return null;
        next++;
      }
      if (line.kind !== 'added') old.push(line.text);
    }
  }
  old.push(...lines.slice(next));
  return { old, new: lines };
}

/** How a language writes comments and decorators (`@pytest.mark…`, `#[should_panic]`). */
export interface Syntax {
  comment: RegExp;
  decorator: RegExp | null;
}

/**
 * The test enclosing `lines[at]`: the line's own declaration, else the nearest line above that is
 * indented less than everything between (the block it is in), then the block that one is in, and
 * so on out to the file's top level, the first of them that declares a test. A decorator (and what
 * it spans) belongs to the test declared below it. Blank lines and comments (which Python allows
 * at any indentation) do not close a block.
 */
export function enclosingTest(
  lines: readonly string[],
  at: number,
  declaredAt: DeclaredAt,
  syntax: Syntax,
): string | null {
  const own = declaredOrDecorated(lines, at, declaredAt, syntax);
  if (own !== null) return own;
  for (const index of blocksAround(lines, at, syntax)) {
    const name = declaredOrDecorated(lines, index, declaredAt, syntax);
    if (name !== null) return name;
  }
  return null;
}

/**
 * The lines that open the blocks `lines[at]` is in, innermost first: each the nearest line above
 * indented less than everything between. Blank lines and comments do not close a block.
 */
function* blocksAround(lines: readonly string[], at: number, syntax: Syntax): Generator<number> {
  let limit = indentOf(lines[at] ?? '');
  for (let index = at - 1; index >= 0 && limit > 0; index--) {
    const text = lines[index] ?? '';
    if (text.trim() === '' || syntax.comment.test(text)) continue;
    const indent = indentOf(text);
    if (indent >= limit) continue;
    yield index;
    limit = indent;
  }
}

const CLOSING = /^\s*[)\]}]+[,;]?\s*$/;

function declaredOrDecorated(
  lines: readonly string[],
  at: number,
  declaredAt: DeclaredAt,
  syntax: Syntax,
): string | null {
  const own = declaredAt(lines, at);
  const text = lines[at] ?? '';
  if (own !== null || syntax.decorator === null || !syntax.decorator.test(text)) return own;
  // The declaration the decorator stands on: past its own continuation lines and other decorators.
  const indent = indentOf(text);
  for (let index = at + 1; index < lines.length; index++) {
    const next = lines[index] ?? '';
    if (next.trim() === '' || syntax.comment.test(next) || indentOf(next) > indent) continue;
    if (syntax.decorator.test(next) || CLOSING.test(next)) continue;
    return declaredAt(lines, index);
  }
  return null;
}

function indentOf(text: string): number {
  return /^\s*/.exec(text)?.[0].length ?? 0;
}

/**
 * Every test sharing a line no test encloses (a fixture, a `setup_method`, a value the tests read):
 * the tests of the innermost block around it that declares any (a test class), else of the file.
 */
export function testsSharing(
  lines: readonly string[],
  at: number,
  declaredAt: DeclaredAt,
  syntax: Syntax,
): string[] {
  for (const index of blocksAround(lines, at, syntax)) {
    const names = testsDeclared(lines, index + 1, indentOf(lines[index] ?? ''), declaredAt, syntax);
    if (names.length > 0) return names;
  }
  return testsDeclared(lines, 0, -1, declaredAt, syntax);
}

/** The tests declared from `from` on in the block indented more than `indent`. */
function testsDeclared(
  lines: readonly string[],
  from: number,
  indent: number,
  declaredAt: DeclaredAt,
  syntax: Syntax,
): string[] {
  const names = new Set<string>();
  for (let index = from; index < lines.length; index++) {
    const text = lines[index] ?? '';
    if (text.trim() === '' || syntax.comment.test(text)) continue;
    if (indentOf(text) <= indent) break;
    const name = declaredAt(lines, index);
    if (name !== null) names.add(name);
  }
  return [...names];
}
