import type { Annotation } from '../forge/port.js';
import type { GateEvidence } from '../proof/schema.js';
import { ANSI } from '../text/ansi.js';

export interface AnnotationOptions {
  /** Absolute repository root: absolute paths under it become repository-relative. */
  repoRoot?: string | null;
  /** Level for formats that do not say error or warning themselves. */
  level?: Annotation['level'];
}

type Level = Annotation['level'] | null;
interface Hit {
  path: string;
  line: string;
  /** The message on the line itself; empty when the line is only a location. */
  message: string;
  level: Level;
  /** Stack frames: only the first frame in the repository after a message counts. */
  frame?: boolean;
  /** The message follows the location (node:test) instead of preceding it. */
  after?: boolean;
}

const P = String.raw`((?:[A-Za-z]:)?[\w@.+\-/\\]+)`;
const P_EXT = String.raw`((?:[A-Za-z]:)?[\w@.+\-/\\]*\.[A-Za-z][\w]*)`;
const severity = (word: string | undefined): Level =>
  word === undefined ? null : /^warn/i.test(word) ? 'warning' : 'failure';

/** One parser per format, tried in order; the first that matches a line wins. */
const PARSERS: { pattern: RegExp; hit: (m: RegExpExecArray) => Hit }[] = [
  // TypeScript: src/a.ts(12,5): error TS2322: ...
  {
    pattern: new RegExp(String.raw`^${P}\((\d+),\d+\): (error|warning) (TS\d+: .*)$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: m[4] ?? '', level: severity(m[3]) }),
  },
  // TypeScript pretty: src/a.ts:12:5 - error TS2322: ...
  {
    pattern: new RegExp(String.raw`^${P}:(\d+):\d+ - (error|warning) (TS\d+: .*)$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: m[4] ?? '', level: severity(m[3]) }),
  },
  // Biome: src/a.ts:12:5 lint/suspicious/noExplicitAny ━━━ (the message is on a later line)
  {
    pattern: new RegExp(String.raw`^${P_EXT}:(\d+):\d+ ((?:lint|assist|format|parse)[\w/]*)(?: .*)?$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: m[3] ?? '', level: null }),
  },
  // vitest/jest: ❯ src/a.test.ts:12:5 and › src/a.test.ts:12:5
  {
    pattern: new RegExp(String.raw`^\s*[❯›>]\s+(?:file://)?${P_EXT}:(\d+)(?::\d+)?\s*$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: '', level: null, frame: true }),
  },
  // Stack frames: at fn (src/a.ts:12:5) and at src/a.ts:12:5
  {
    pattern: new RegExp(String.raw`^\s*at (?:.*? \()?(?:file://)?${P_EXT}:(\d+):\d+\)?\s*$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: '', level: null, frame: true }),
  },
  // node:test: location: '/abs/path/test/x.test.js:5:3'
  {
    pattern: /^\s*location: '(?:file:\/\/)?(.+?):(\d+):\d+'\s*$/,
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: '', level: null, after: true }),
  },
  // cargo: --> src/main.rs:12:5 (the message is on an earlier line)
  {
    pattern: new RegExp(String.raw`^\s*--> ${P_EXT}:(\d+):\d+\s*$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: '', level: null }),
  },
  // Python traceback: File "tests/test_x.py", line 12, in test_x
  {
    pattern: /^\s*File "(.+?)", line (\d+)/,
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: '', level: null, frame: true, after: true }),
  },
  // Generic, with or without a column: ESLint unix, pytest, go, gcc... path:line: message
  {
    pattern: new RegExp(String.raw`^\s*${P_EXT}:(\d+)(?::\d+)?:(?:\s+(.*))?$`),
    hit: (m) => ({ path: m[1] ?? '', line: m[2] ?? '', message: m[3] ?? '', level: wordLevel(m[3] ?? '') }),
  },
];

/** gcc/go style `warning: ...` and ESLint unix `[Warning/rule]`. */
function wordLevel(message: string): Level {
  if (/^warning\b|\[Warning\//i.test(message)) return 'warning';
  return /^(?:fatal )?error\b|\[Error\//i.test(message) ? 'failure' : null;
}

// ESLint stylish: a file line, then "  12:5  error  message  rule" lines under it.
const STYLISH_FILE = new RegExp(`^${P_EXT}$`);
const STYLISH_ENTRY = /^\s+(\d+):\d+\s+(error|warning)\s+(.+?)\s*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const MESSAGE_CHARS = 1000;
const MAX_LINE_CHARS = 1000;

/**
 * Annotations (file, line, message) from a gate's output, in the order they appear: deduplicated,
 * at most `limit`. Only repository-relative paths without `..` are kept; absolute ones are made
 * relative to `repoRoot` when they lie under it and dropped otherwise, as are node_modules.
 */
export function annotationsFromGateOutput(
  gateName: string,
  tail: string,
  limit = 50,
  options: AnnotationOptions = {},
): Annotation[] {
  const lines = tail.replace(ANSI, '').split(/\r\n?|\n/);
  const out: Annotation[] = [];
  const seen = new Set<string>();
  let stylishFile: string | null = null;
  let inStack = false;
  for (let index = 0; index < lines.length && out.length < limit; index += 1) {
    const text = lines[index] ?? '';
    // Long lines are messages, not locations; skipping them keeps parsing linear.
    const hit = text.length > MAX_LINE_CHARS ? null : locate(text, stylishFile);
    if (hit === null) {
      if (text.length <= MAX_LINE_CHARS && text === text.trimStart() && STYLISH_FILE.test(text.trimEnd())) {
        stylishFile = text.trimEnd();
      } else if (text.trim() !== '') {
        stylishFile = STYLISH_ENTRY.test(text) ? stylishFile : null;
        inStack = false;
      }
      continue;
    }
    const path = relativePath(hit.path, options.repoRoot ?? null);
    if (path === null || (hit.frame === true && inStack)) continue;
    inStack = hit.frame === true;
    const message = clean(
      hit.message === '' ? contextMessage(lines, index, hit) : biomeMessage(hit, lines, index),
    );
    const line = Math.max(1, Number.parseInt(hit.line, 10) || 1);
    const key = JSON.stringify([path, line, message]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      path,
      startLine: line,
      endLine: line,
      level: hit.level ?? wordLevel(message) ?? options.level ?? 'failure',
      title: clean(gateName).slice(0, 255),
      message,
    });
  }
  return out;
}

function locate(text: string, stylishFile: string | null): Hit | null {
  const stylish = stylishFile === null ? null : STYLISH_ENTRY.exec(text);
  if (stylishFile === null || stylish === null) return parse(text);
  const message = stylish[3]?.replace(/\s{2,}/g, ' ') ?? '';
  return { path: stylishFile, line: stylish[1] ?? '', message, level: severity(stylish[2]) };
}

function parse(text: string): Hit | null {
  for (const parser of PARSERS) {
    const match = parser.pattern.exec(text);
    if (match !== null) return parser.hit(match);
  }
  return null;
}

/** Repository-relative, `/`-separated, no `..`; null when the path cannot be annotated. */
export function relativePath(raw: string, repoRoot: string | null): string | null {
  let path = raw.trim().replace(/\\/g, '/');
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(path.slice('file://'.length));
    } catch {
      return null;
    }
  }
  if (repoRoot !== null && repoRoot !== '') {
    const root = `${repoRoot.replace(/\\/g, '/').replace(/\/+$/, '')}/`;
    if (path.startsWith(root)) path = path.slice(root.length);
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('node:')) return null;
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.some((segment) => segment === '..' || segment === 'node_modules')) {
    return null;
  }
  return segments.join('/');
}

/** Biome puts the message a few lines below the location: `  × Unexpected any.` */
function biomeMessage(hit: Hit, lines: readonly string[], index: number): string {
  if (!/^(?:lint|assist|format|parse)/.test(hit.message)) return hit.message;
  for (const text of lines.slice(index + 1, index + 6)) {
    const detail = /^\s*[×✖!⚠ℹi] (.+)$/.exec(text)?.[1];
    if (detail !== undefined) return `${hit.message}: ${detail.trim()}`;
  }
  return hit.message;
}

/** A line that heads an error report, preferred as the message of a location-only line. */
const HEADLINE =
  /^\s*(?:(?:error|warning)(?:\[[\w-]+\])?:|[\w.]*(?:Error|Exception)\b|FAIL\b|not ok\b|thread '.*' panicked|[✖×] )/;
const ERRORISH = /\b(?:error|fail(?:ed|ure)?|assert\w*|expected|panicked)\b/i;

/**
 * For location-only lines (stack frames, cargo's `-->`, node:test): the error they belong to.
 * node:test and Python write it after the location, the others before.
 */
function contextMessage(lines: readonly string[], index: number, hit: Hit): string {
  for (let next = index + 1; hit.after === true && next < Math.min(lines.length, index + 8); next += 1) {
    const text = lines[next] ?? '';
    const error = /^\s*error: (.*)$/.exec(text)?.[1]?.trim();
    // YAML block scalars (`error: |-`) hold the message on the next line.
    if (error !== undefined) {
      return /^[|>][-+]?$/.test(error) ? (lines[next + 1]?.trim() ?? 'error') : error.replace(/^'|'$/g, '');
    }
    if (HEADLINE.test(text)) return text.trim();
  }
  const before = lines.slice(Math.max(0, index - 8), index).reverse();
  const isText = (text: string) =>
    text.trim() !== '' &&
    (text.length > MAX_LINE_CHARS || parse(text) === null) &&
    !/^\s*[-=~^⎯─━]+\s*$/.test(text);
  const found =
    before.find((text) => HEADLINE.test(text) && isText(text)) ??
    before.find((text) => ERRORISH.test(text) && isText(text)) ??
    before.find(isText);
  return found?.trim() ?? 'failed here';
}

function clean(message: string): string {
  const flat = message.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_CHARS ? `${flat.slice(0, MESSAGE_CHARS - 1)}…` : flat;
}

/**
 * The level a gate's outcome is annotated at: failed and timed-out gates fail, pre-existing
 * failures (the base fails them too) warn at most; null: nothing to annotate.
 */
export function gateAnnotationLevel(gate: Pick<GateEvidence, 'outcome'>): Annotation['level'] | null {
  if (gate.outcome === 'failed' || gate.outcome === 'timeout') return 'failure';
  return gate.outcome === 'pre_existing' ? 'warning' : null;
}

/**
 * A gate's annotations from its output at its level (as the tool says where it says); a
 * pre-existing gate's errors are not this change's, so they only warn. [] for a gate that passed.
 */
export function gateOutputAnnotations(
  gate: GateEvidence,
  limit: number,
  repoRoot: string | null,
): Annotation[] {
  const level = gateAnnotationLevel(gate);
  if (level === null) return [];
  const found = annotationsFromGateOutput(gate.name, gate.tail, limit, { repoRoot, level });
  return found.map((entry) =>
    level === 'warning' && entry.level === 'failure' ? { ...entry, level } : entry,
  );
}
