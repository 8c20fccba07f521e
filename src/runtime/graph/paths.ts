// Repository-relative path hygiene. Paths come from planners and agents (untrusted) and end up in
// git pathspecs, sparse-checkout sets and conflict checks, so an accepted path must name exactly one
// place inside the repository on every platform a checkout may live on (Linux, macOS, Windows).

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/** Generous for real repositories, small enough that one hostile path cannot flood a report. */
const MAX_PATH_CHARS = 4096;
/** Most filesystems cap one name at 255 bytes. */
const MAX_SEGMENT_BYTES = 255;
/** Longest untrusted text echoed into a reason, in characters. */
const MAX_QUOTED_CHARS = 120;

// Controls, format characters (bidi overrides, zero-width, BOM, tags), unpaired surrogates and
// every space but U+0020: all of them make two different names look identical in a log or a PR.
const UNSEEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}]/u;
// Invisible characters outside those categories: combining grapheme joiner, Hangul and Khmer
// fillers, variation selectors.
const UNSEEN_RANGES: readonly (readonly [number, number])[] = [
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xffa0, 0xffa0],
  [0xe0100, 0xe01ef],
];

// Encoded dot, slash, backslash or NUL (also double-encoded): a later layer may decode them.
const ENCODED_SYNTAX = /%(?:25)*(?:2e|2f|5c|00)/i;
// Compatibility forms (fullwidth '．', '／', '＼', '：', '～', '…') turn into real path syntax
// under NFKC, which some tools and filesystems apply.
const PATH_SYNTAX = /[./\\:~*?%]/;
// What Windows would call `.git` once it drops trailing dots and spaces: the 8.3 short name
// `GIT~n`, or the hashed short name `GIxxxx~n` it falls back to on collisions.
const DOT_GIT_SHORT_NAME = /^(?:git|gi[0-9a-f]{4})~[0-9]+$/i;

function isUnseen(ch: string): boolean {
  if (ch === ' ') return false;
  if (UNSEEN.test(ch)) return true;
  const cp = ch.codePointAt(0) ?? 0;
  return UNSEEN_RANGES.some(([low, high]) => cp >= low && cp <= high);
}

function codePointName(ch: string): string {
  const hex = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase();
  return `U+${hex.padStart(4, '0')}`;
}

function fail(reason: string): PathCheck {
  return { ok: false, reason };
}

function isDotGit(segment: string): boolean {
  const stripped = segment.replace(/[. ]+$/, '');
  // Both foldings: toUpperCase maps look-alikes such as dotless 'ı' onto 'I'.
  return (
    stripped.toLowerCase() === '.git' ||
    stripped.toUpperCase() === '.GIT' ||
    DOT_GIT_SHORT_NAME.test(stripped)
  );
}

function segmentProblem(segment: string): string | null {
  if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
    return `has a name longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  if (isDotGit(segment)) {
    return 'points into the .git directory (or a name Windows treats as .git), which no task may touch';
  }
  if (/[. ]$/.test(segment)) {
    return `has a name ending in a dot or space (${quoteUntrusted(segment)}), which Windows silently drops`;
  }
  return null;
}

/** Checks on the raw text, before any normalization could hide what was written. */
function rawProblem(raw: string): string | null {
  if (raw.length > MAX_PATH_CHARS) return `is longer than ${MAX_PATH_CHARS} characters`;
  if (raw !== raw.trim()) return 'starts or ends with whitespace; remove it';
  for (const ch of raw) {
    if (isUnseen(ch)) return `contains ${codePointName(ch)}, an invisible, control or formatting character`;
  }
  if (raw.startsWith('/')) return 'is absolute; use a path relative to the repository root';
  if (raw.startsWith('\\'))
    return 'is a Windows absolute or network (UNC) path; use a repository-relative path';
  if (/^[A-Za-z]:/.test(raw)) return 'starts with a Windows drive letter; use a repository-relative path';
  if (raw.includes('\\')) return 'contains a backslash; separate directories with "/"';
  if (ENCODED_SYNTAX.test(raw))
    return 'contains a percent-encoded ".", "/", "\\" or NUL; write the path plainly';
  if (raw.includes(':')) {
    return 'contains ":", which Windows reads as a drive or data stream and git as pathspec magic';
  }
  if (raw.startsWith('~')) return 'starts with "~", which a shell expands to a home directory';
  if (/[*?]/.test(raw)) {
    return 'contains a glob character ("*" or "?"); paths are literal, name the directory instead';
  }
  return null;
}

/**
 * Normalize an untrusted repository-relative path. "." (or "", "./") means the whole repository.
 * Result uses '/' separators, no leading './', no trailing '/', no duplicate slashes.
 *
 * `..` is resolved lexically while it stays inside the repository (`a/b/../c` is `a/c`, `a/..` is
 * "."); a `..` that would climb above the root is refused, as is any `.git` segment, even one a
 * later `..` would cancel. The result is NFC, so macOS (NFD) and Linux spellings compare equal.
 */
export function normalizeRepoPath(raw: string): PathCheck {
  if (typeof raw !== 'string') return fail('is not a string');
  const problem = rawProblem(raw);
  if (problem !== null) return fail(problem);

  const nfc = raw.normalize('NFC');
  for (const ch of nfc) {
    if (ch > '\u007f' && PATH_SYNTAX.test(ch.normalize('NFKC'))) {
      return fail(`contains ${codePointName(ch)}, a look-alike of path syntax; use plain ASCII "." "/"`);
    }
  }

  const kept: string[] = [];
  for (const segment of nfc.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.pop() === undefined) return fail('climbs out of the repository with ".."');
      continue;
    }
    const segmentIssue = segmentProblem(segment);
    if (segmentIssue !== null) return fail(segmentIssue);
    kept.push(segment);
  }
  return { ok: true, path: kept.length === 0 ? '.' : kept.join('/') };
}

/**
 * Normalize a task's read or write list: distinct normalized paths in code-unit order (independent
 * of locale, so the same plan always yields the same task). Each refused entry adds a problem.
 */
export function normalizePathList(
  kind: 'read' | 'write',
  raw: readonly string[],
  problems: string[],
): string[] {
  const paths = new Set<string>();
  for (const entry of raw) {
    const check = normalizeRepoPath(entry);
    if (check.ok) paths.add(check.path);
    else problems.push(`${kind} path ${quoteUntrusted(entry)} ${check.reason}`);
  }
  return [...paths].sort();
}

// Checkouts on macOS and Windows are case-insensitive: names that differ only in case are one file
// there, so they must count as the same path.
function foldCase(path: string): string {
  return path.toLowerCase();
}

/** True when `path` (normalized) is `container` or lies inside it; "." contains everything. */
export function isWithin(path: string, container: string): boolean {
  if (container === '.') return true;
  if (path === '.') return false;
  const inner = foldCase(path);
  const outer = foldCase(container);
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** True when a and b (normalized) are the same path or one contains the other ("." contains all). */
export function pathsOverlap(a: string, b: string): boolean {
  return isWithin(a, b) || isWithin(b, a);
}

/**
 * Quote untrusted text for a human-facing message: invisible and control characters become
 * `\u{...}` escapes so they cannot reorder or hide text in a terminal, log or PR body.
 */
export function quoteUntrusted(text: string): string {
  return `"${escapeUnseen(text, MAX_QUOTED_CHARS, true)}"`;
}

/**
 * Untrusted text shown unquoted (an error message that already quotes the values it names):
 * invisible and control characters escaped as in `quoteUntrusted`, cut at `max` characters.
 */
export function showUntrusted(text: string, max: number): string {
  return escapeUnseen(text, max, false);
}

function escapeUnseen(text: string, max: number, quoted: boolean): string {
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count === max) {
      out += '…';
      break;
    }
    count += 1;
    if (isUnseen(ch)) out += `\\u{${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`;
    else if (quoted && (ch === '"' || ch === '\\')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
