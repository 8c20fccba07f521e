// A Rust file's doc tests as the diff shows them: the examples in its `///` and `//!` comments,
// which rustdoc runs as tests wherever the file is (src/lib.rs as well as tests/). A fence that
// stops running its example (```ignore, ```no_run, ```should_panic, ```text) turns that test off;
// an assertion removed from a doc comment weakens it as one removed from a #[test] does.

import type { DiffFile, DiffLine } from './diff.js';
import type { FileSides } from './enclosing-test.js';

/** A doc comment line, and what it holds after its `///` or `//!`. */
const DOC_LINE = /^\s*\/\/[/!](?!\/)\s?(.*)$/;
/** A code fence in a doc comment and its attributes: ```` ```rust,no_run ````. */
const FENCE = /^(`{3,}|~{3,})\s*([\w\-, ]*)$/;
/**
 * Attributes that keep an example a runnable Rust test (rustdoc's defaults and editions). Any other
 * no longer checks what it ran: not run (ignore, ignore-<target>, no_run), passing by panicking
 * (should_panic), or not Rust at all (text, sh, …).
 */
const RUNNABLE = /^(?:rust|edition\d{4}|test_harness)$/;
/** The item a doc comment stands on: `pub fn unindent(`, `pub struct Config`, `impl Trait for X`. */
const ITEM =
  /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:(?:async|const|unsafe|extern\s+"\w+")\s+)*(?:fn|struct|enum|trait|type|mod|const|static|macro_rules!|union)\s+(\w+)/;

/** The doc comment's text of a line, or null when the line is not a doc comment. */
export function docText(line: string): string | null {
  return DOC_LINE.exec(line)?.[1] ?? null;
}

/** Whether a fence opens a doc test that runs: no attribute, or only ones that keep it running. */
function runs(fence: string): boolean | null {
  const match = FENCE.exec(fence.trim());
  if (match === null) return null;
  const attributes = (match[2] ?? '').split(/[\s,]+/).filter(Boolean);
  return attributes.every((attribute) => RUNNABLE.test(attribute));
}

/** A doc test the change turned off: the fence line it added, and the item it documents if the hunk shows it. */
export interface DocTestTurnedOff {
  line: string;
  item: string | null;
}

/**
 * The doc tests each hunk turns off: a fence that ran removed and one that does not run added in
 * its place (```` ``` ```` made ```` ```ignore ````). An example added with ```` ```no_run ```` from the
 * start turns nothing off.
 */
export function docTestsTurnedOff(file: DiffFile): DocTestTurnedOff[] {
  const off: DocTestTurnedOff[] = [];
  for (const hunk of file.hunks) {
    const fences = (kind: DiffLine['kind'], running: boolean) =>
      hunk.flatMap((line, index) => {
        const text = line.kind === kind ? docText(line.text) : null;
        return text !== null && runs(text) === running ? [index] : [];
      });
    const stopped = fences('added', false);
    const ran = fences('removed', true).length;
    for (const index of stopped.slice(0, ran)) {
      off.push({ line: hunk[index]?.text ?? '', item: documentedItem(hunk, index) });
    }
  }
  return off;
}

/** The item under the doc comment holding the hunk's line, when the hunk reaches it. */
function documentedItem(hunk: readonly DiffLine[], index: number): string | null {
  for (const line of hunk.slice(index + 1)) {
    if (line.kind === 'removed') continue;
    if (docText(line.text) !== null || /^\s*#\[/.test(line.text)) continue;
    return ITEM.exec(line.text)?.[1] ?? null;
  }
  return null;
}

/** Whether the change touches a doc comment line of the file. */
export function editsDocComments(file: DiffFile): boolean {
  return file.hunks.some((hunk) =>
    hunk.some((line) => line.kind !== 'context' && docText(line.text) !== null),
  );
}

/**
 * The doc tests whose example lines the change edits, by the item they document (`unindent` for
 * `src/lib.rs - unindent::unindent (example 1)`); null for one whose item cannot be told (a `//!`
 * module doc, a `#[doc = …]`, a file whose whole text is not at hand), which stands for every doc
 * test of the file. A prose line of a doc comment is no test's: editing it edits none.
 */
export function docTestsEdited(file: DiffFile, sides: FileSides | null): Set<string | null> {
  const items = new Set<string | null>();
  for (const line of file.hunks.flat()) {
    if (line.kind === 'context') continue;
    const text = docText(line.text);
    if (text === null) {
      if (OTHER_DOC.test(line.text)) items.add(null);
      continue;
    }
    const lines = line.kind === 'added' ? sides?.new : sides?.old;
    const number = line.kind === 'added' ? line.newLine : line.oldLine;
    if (
      lines === undefined ||
      number === null ||
      lines[number - 1] !== line.text ||
      MODULE_DOC.test(line.text)
    ) {
      items.add(null);
      continue;
    }
    if (inExample(lines, number - 1)) items.add(documentedBy(lines, number - 1));
  }
  return items;
}

/**
 * The item whose doc test holds `lines[index]` (a doc comment line inside an example), or null
 * when the line is in no example or its item cannot be told (a `//!` module doc).
 */
export function docTestItemAt(lines: readonly string[], index: number): string | null {
  const text = lines[index] ?? '';
  if (docText(text) === null || MODULE_DOC.test(text) || !inExample(lines, index)) return null;
  return documentedBy(lines, index);
}

/**
 * The items whose code (not doc comments) the change edits: for each line removed or added, the
 * item declared on it or the nearest one above it indented less (a method in its `impl`, a fn in
 * its `mod`). Empty without the file's two sides.
 */
export function itemsEdited(file: DiffFile, sides: FileSides | null): Set<string> {
  const items = new Set<string>();
  if (sides === null) return items;
  for (const line of file.hunks.flat()) {
    if (line.kind === 'context' || line.text.trim() === '' || docText(line.text) !== null) continue;
    const lines = line.kind === 'added' ? sides.new : sides.old;
    const number = line.kind === 'added' ? line.newLine : line.oldLine;
    if (number === null || lines[number - 1] !== line.text) continue;
    const item = itemAround(lines, number - 1);
    if (item !== null) items.add(item);
  }
  return items;
}

function itemAround(lines: readonly string[], index: number): string | null {
  const indentOf = (text: string) => /^\s*/.exec(text)?.[0].length ?? 0;
  const own = ITEM.exec(lines[index] ?? '')?.[1];
  if (own !== undefined) return own;
  let limit = indentOf(lines[index] ?? '');
  for (let at = index - 1; at >= 0 && limit > 0; at--) {
    const text = lines[at] ?? '';
    // Blank lines, comments and an item's closing bracket neither open nor close the block.
    if (text.trim() === '' || /^\s*(?:\/\/|[)\]}])/.test(text)) continue;
    const indent = indentOf(text);
    if (indent >= limit) continue;
    const item = ITEM.exec(text)?.[1];
    if (item !== undefined) return item;
    limit = indent;
  }
  return null;
}

/** Doc comments this reads by the whole file only: `//!`, a block doc comment, `#[doc = …]`. */
const MODULE_DOC = /^\s*\/\/!/;
const OTHER_DOC = /^\s*(?:\/\*\*|\/\*!|#!?\[doc\b)/;

/** Whether a doc comment line is a fence or inside an example (an odd count of fences above it in its comment). */
function inExample(lines: readonly string[], index: number): boolean {
  const isFence = (at: number) => FENCE.test((docText(lines[at] ?? '') ?? '').trim());
  if (isFence(index)) return true;
  let fences = 0;
  for (let above = index - 1; above >= 0 && docText(lines[above] ?? '') !== null; above--) {
    if (isFence(above)) fences += 1;
  }
  return fences % 2 === 1;
}

/** The item a doc comment line documents: the first line below its comment and attributes. */
function documentedBy(lines: readonly string[], index: number): string | null {
  for (const line of lines.slice(index + 1)) {
    if (docText(line) !== null || /^\s*#\[/.test(line)) continue;
    return ITEM.exec(line)?.[1] ?? null;
  }
  return null;
}
