// A Rust file's doc tests as the diff shows them: the examples in its `///` and `//!` comments,
// which rustdoc runs as tests wherever the file is (src/lib.rs as well as tests/). A fence that
// stops running its example (```ignore, ```no_run, ```should_panic, ```text) turns that test off;
// an assertion removed from a doc comment weakens it as one removed from a #[test] does.

import type { DiffFile, DiffLine } from './diff.js';

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
