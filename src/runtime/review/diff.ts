// A tolerant reader of `git diff` output. Hunks are consumed by their line counts, never by
// prefix alone: an added line "++ x" arrives as "+++ x" and must not be taken for a file header.
// The capture may cut the diff at any line, so a hunk that ends early is simply closed.

export interface DiffLine {
  kind: 'added' | 'removed' | 'context';
  text: string;
  /** Line number in the new file (null for removed lines). */
  newLine: number | null;
  /** Line number in the old file (null for added lines). */
  oldLine: number | null;
}

export interface DiffFile {
  path: string;
  status: 'added' | 'deleted' | 'modified';
  binary: boolean;
  /** The new side has mode 100755. */
  executable: boolean;
  hunks: DiffLine[][];
  /**
   * Each hunk's section heading, by index: what git prints after the second `@@`, the nearest line
   * above the hunk that starts a function (`func TestX(t *testing.T) {`), or '' when it prints none.
   */
  headings?: string[];
}

export interface ParsedDiff {
  files: DiffFile[];
  /** The capture's truncation marker was present: the diff covers only part of the change. */
  truncated: boolean;
}

/** Written by the git adapter's truncateDiff; runtime code cannot import adapters, hence the copy. */
export const TRUNCATION_MARKER = '[omk: diff truncated';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

interface OpenHunk {
  lines: DiffLine[];
  oldLeft: number;
  newLeft: number;
  next: number;
  nextOld: number;
}

/**
 * `known` holds the changed paths from numstat; it settles whether "a/x" means "x" with git's
 * default prefix or a file in a directory named "a" (diff.noprefix, diff.mnemonicPrefix).
 */
export function parseDiff(diff: string, known: ReadonlySet<string> = new Set()): ParsedDiff {
  const files: DiffFile[] = [];
  let truncated = false;
  let file: DiffFile | null = null;
  let hunk: OpenHunk | null = null;
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();

  for (const raw of lines) {
    if (hunk !== null && file !== null) {
      if (consumeHunkLine(hunk, raw)) {
        if (hunk.oldLeft <= 0 && hunk.newLeft <= 0) hunk = null;
        continue;
      }
      hunk = null;
    }
    const line = raw.replace(/\r$/, '');
    if (line.startsWith(TRUNCATION_MARKER)) {
      truncated = true;
    } else if (line.startsWith('diff --git ')) {
      file = {
        path: gitHeaderPath(line.slice('diff --git '.length), known),
        status: 'modified',
        binary: false,
        executable: false,
        hunks: [],
        headings: [],
      };
      files.push(file);
    } else if (file === null) {
      // Anything before the first file header (or a "\ No newline" note) carries no change.
    } else if (line.startsWith('new file mode ')) {
      file.status = 'added';
      file.executable = line.endsWith('755');
    } else if (line.startsWith('new mode ')) {
      file.executable = line.endsWith('755');
    } else if (line.startsWith('deleted file mode ')) {
      file.status = 'deleted';
    } else if (line.startsWith('+++ ') && line !== '+++ /dev/null') {
      // Git appends a tab to a name that contains a space.
      file.path = stripPrefix(unquote(line.slice(4).replace(/\t$/, '')), known);
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      file.binary = true;
    } else {
      const match = HUNK_HEADER.exec(line);
      if (match !== null) {
        const lines: DiffLine[] = [];
        file.hunks.push(lines);
        file.headings?.push(match[5] ?? '');
        const next = Number(match[3]);
        const nextOld = Number(match[1]);
        hunk = { lines, oldLeft: Number(match[2] ?? '1'), newLeft: Number(match[4] ?? '1'), next, nextOld };
        if (hunk.oldLeft <= 0 && hunk.newLeft <= 0) hunk = null;
      }
    }
  }
  return { files, truncated };
}

/** Returns false when the line cannot belong to the hunk (the diff was cut short). */
function consumeHunkLine(hunk: OpenHunk, raw: string): boolean {
  const mark = raw.charAt(0);
  const text = raw.slice(1);
  if (mark === '\\') return true; // "\ No newline at end of file"
  if (mark === '+' && hunk.newLeft > 0) {
    hunk.lines.push({ kind: 'added', text, newLine: hunk.next++, oldLine: null });
    hunk.newLeft--;
    return true;
  }
  if (mark === '-' && hunk.oldLeft > 0) {
    hunk.lines.push({ kind: 'removed', text, newLine: null, oldLine: hunk.nextOld++ });
    hunk.oldLeft--;
    return true;
  }
  // Some tools strip the single space of an empty context line.
  if ((mark === ' ' || raw === '') && hunk.oldLeft > 0 && hunk.newLeft > 0) {
    hunk.lines.push({ kind: 'context', text, newLine: hunk.next++, oldLine: hunk.nextOld++ });
    hunk.oldLeft--;
    hunk.newLeft--;
    return true;
  }
  return false;
}

/** `a/P b/P` (no renames, so both sides name the same path), possibly C-quoted. */
function gitHeaderPath(rest: string, known: ReadonlySet<string>): string {
  if (rest.startsWith('"')) {
    const [first, end] = readQuoted(rest, 0);
    const second = rest.slice(end).trimStart();
    return stripPrefix(second === '' ? first : unquote(second), known);
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.charAt(half) === ' ') {
    const left = rest.slice(0, half);
    const right = rest.slice(half + 1);
    if (left.slice(2) === right.slice(2)) return stripPrefix(right, known);
  }
  return stripPrefix(rest.slice(rest.lastIndexOf(' ') + 1), known);
}

function stripPrefix(path: string, known: ReadonlySet<string>): string {
  if (known.has(path)) return path;
  const bare = path.replace(/^[a-z]\//, '');
  return known.size === 0 || known.has(bare) ? bare : path;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Git C-quotes paths with special or non-ASCII characters: "caf\303\251" is UTF-8 bytes in octal. */
function unquote(text: string): string {
  return text.startsWith('"') ? readQuoted(text, 0)[0] : text;
}

function readQuoted(text: string, start: number): [string, number] {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length && text.charAt(i) !== '"') {
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
      continue;
    }
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
    if (octal !== null) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 4;
    } else {
      bytes.push(ESCAPES[text.charAt(i + 1)] ?? text.charCodeAt(i + 1));
      i += 2;
    }
  }
  return [Buffer.from(bytes).toString('utf8'), i + 1];
}
