/**
 * The one escaper for untrusted text in GitHub-flavoured Markdown: goal text, slice titles, agent
 * and tool output, finding messages, names and paths, wherever they land (PR bodies, comments, job
 * summaries, check runs, plan and review documents). Each function escapes for one context so the
 * text can neither break the layout (tables, code spans, lists), inject HTML or hide what follows
 * (`<!--`, `</details>`), nor @-mention people or teams.
 */

/** Controls (bar tab and line breaks) and C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** Bidi marks, overrides and isolates, and zero-width or invisible format characters. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Line breaks, with the whitespace around them: where a single line is required they become a space. */
const LINE_BREAKS = /[^\S\r\n\u2028\u2029]*(?:\r\n?|\n|\u2028|\u2029)\s*/g;

/** Characters that can make text read other than it is are shown as �. */
function visible(value: string): string {
  return value.replace(CONTROLS, '\uFFFD').replace(INVISIBLE, '\uFFFD');
}

/** Any line break: a fast scan, so text without one (most of it) skips LINE_BREAKS' slow search. */
const ANY_BREAK = /[\r\n\u2028\u2029]/;

function oneLine(value: string): string {
  const shown = visible(value);
  return ANY_BREAK.test(shown) ? shown.replace(LINE_BREAKS, ' ') : shown;
}

/**
 * Inline text on one line: Markdown syntax backslash-escaped (emphasis, code, links, tables,
 * headings, math, and list or setext markers at the start), HTML entity-escaped, mentions defused.
 * Safe in a table cell too: every `|` ends up escaped.
 */
export function text(value: string): string {
  const escaped = oneLine(value)
    .replace(/[\\`*_[\]|~#$]/g, '\\$&')
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
  return html(escaped);
}

/**
 * A code span on one line whose fence is longer than any backtick run inside. In a table cell
 * pipes must be escaped even inside code (GFM splits cells before it parses code spans, and drops
 * the backslash again); elsewhere `\|` would show its backslash. A pipe already preceded by a
 * backslash gets one more, so the cell splitter never reads `\\|` as a backslash then a delimiter.
 */
export function code(value: string, inTable = false): string {
  const flat = oneLine(value);
  const content = inTable
    ? flat.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes.length % 2 === 1 ? '\\' : ''}\\|`)
    : flat;
  if (content === '') return '';
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/**
 * Text inside HTML (a <summary>, a <pre>, a <sub>): entities for the markup characters, line
 * breaks kept. Mentions are defused unless `defuseMentions` is false (inside <pre>, where GitHub
 * does not link them and the zero-width space would corrupt copied output).
 */
export function html(value: string, defuseMentions = true): string {
  const escaped = visible(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return defuseMentions ? escaped.replace(/@/g, '@&#8203;') : escaped;
}

/** Plain web URLs only: anything else could smuggle `javascript:`, break the syntax or a table row. */
const WEB_URL = /^https?:\/\/[^\s<>()[\]`"'\\|]+$/;

/** A link when `url` is a plain web URL; otherwise the label and the URL as code, never clickable. */
export function link(label: string, url: string, inTable = false): string {
  return WEB_URL.test(url) ? `[${text(label)}](${url})` : `${text(label)} ${code(url, inTable)}`;
}

/** A block quote of multi-line text, one escaped line each. */
export function quote(value: string): string[] {
  return value.split(/\r\n?|\n/).map((line) => `> ${text(line)}`.trimEnd());
}
