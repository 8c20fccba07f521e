/**
 * The one rule for shortening text a person will read (a goal in a list, a finding in a PR body,
 * a reply quoting a command): at most `max` UTF-16 code units (what String.length and GitHub's
 * limits count) are kept, cut only between grapheme clusters, so an emoji, a surrogate pair, a
 * flag or a letter with its combining marks is kept whole or dropped whole; then one `…` marks
 * the cut (an ellipsis the kept text ends with is not doubled). The result is at most max + 1
 * long. `max` null: no limit.
 */
export function clip(text: string, max: number | null): string {
  if (max === null || text.length <= max) return text;
  let end = cutAt(text, max);
  while (end > 0 && text[end - 1] === '…') end -= 1;
  return `${text.slice(0, end)}…`;
}

/** How far back a boundary before an ASCII character is looked for before segmenting from 0. */
const LOOKBACK = 64;

/** The last grapheme boundary at or before `max` (0 < max < text.length). */
function cutAt(text: string, max: number): number {
  if (boundaryBefore(text, max)) return max;
  let start = max - 1;
  while (start > 0 && max - start <= LOOKBACK && !boundaryBefore(text, start)) start -= 1;
  if (start > 0 && !boundaryBefore(text, start)) start = 0;
  // Each boundary depends on what precedes it back to a boundary and on the one code point after
  // it, so the window [start, max + 2) decides every boundary up to max exactly.
  let end = start;
  for (const { index, segment } of graphemes().segment(text.slice(start, max + 2))) {
    if (start + index + segment.length > max) break;
    end = start + index + segment.length;
  }
  return end;
}

/**
 * Whether a grapheme boundary surely precedes index `at`: nothing joins to an ASCII character
 * (no combining mark, joiner or regional indicator is ASCII) but a line feed to its carriage return.
 */
function boundaryBefore(text: string, at: number): boolean {
  const unit = text.charCodeAt(at);
  if (unit >= 0x80) return false;
  return !(unit === 0x0a && text.charCodeAt(at - 1) === 0x0d);
}

let segmenter: Intl.Segmenter | undefined;

/** Created on first use: grapheme clusters are the same in every locale. */
function graphemes(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return segmenter;
}
