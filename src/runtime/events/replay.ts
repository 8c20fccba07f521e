import type { GoalEvent, SkippedLine } from './schema.js';

// Pure renderers of a goal's history. Output depends only on the arguments: no clock, no locale,
// keys sorted by code unit, so two runs over the same file are byte-identical and diffable.

/**
 * One header line, one line per event (`#<seq> <ts> <type> key=value ...`, data keys sorted),
 * then one line per skipped line of the file.
 */
export function renderReplayText(
  goalId: string,
  events: readonly GoalEvent[],
  skipped: readonly SkippedLine[],
): string {
  const lines: string[] = [
    `goal ${token(goalId)}: ${plural(events.length, 'event')}, ${plural(skipped.length, 'skipped line')}`,
  ];
  for (const event of events) {
    // Joining flat parts per line measured faster than growing one string with +=.
    const parts = [`#${event.seq}`, token(event.ts), token(event.type)];
    const keys = Object.keys(event.data);
    if (keys.length > 1) keys.sort();
    for (const key of keys) parts.push(`${token(key)}=${value(event.data[key])}`);
    lines.push(parts.join(' '));
  }
  for (const skip of skipped) {
    lines.push(`! line ${skip.line} skipped: ${oneLine(skip.reason)}${skip.torn ? ' (torn write)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `{ goalId, events, skipped }` with one event per line: readable and line-diffable, and one
 * JSON.stringify per event instead of indenting a huge tree keeps 100k events fast.
 */
export function renderReplayJson(
  goalId: string,
  events: readonly GoalEvent[],
  skipped: readonly SkippedLine[],
): string {
  const eventLines = events.map((e) =>
    // Fixed field order, whatever order the file (or the schema library) produced.
    JSON.stringify({ v: e.v, seq: e.seq, ts: e.ts, type: e.type, data: e.data }),
  );
  const skippedLines = skipped.map((s) => JSON.stringify({ line: s.line, reason: s.reason, torn: s.torn }));
  return `{\n  "goalId": ${JSON.stringify(goalId)},\n  "events": ${array(eventLines)},\n  "skipped": ${array(skippedLines)}\n}\n`;
}

function array(items: readonly string[]): string {
  return items.length === 0 ? '[]' : `[\n    ${items.join(',\n    ')}\n  ]`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// Characters that read unambiguously inside `key=value` and cannot move the terminal cursor.
const SIMPLE = /^[A-Za-z0-9_.:/@+-]+$/;

// JSON escapes C0 controls but leaves DEL, C1 and the line separators raw.
const UNESCAPED = /[\u007f-\u009f\u2028\u2029]/g;

function token(text: string): string {
  return SIMPLE.test(text) ? text : escapeRest(JSON.stringify(text));
}

function value(v: unknown): string {
  if (typeof v === 'string') return token(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return json(v);
}

/** JSON with object keys sorted at every depth, so equal data renders equally. */
function json(v: unknown): string {
  const text = JSON.stringify(v, (_key, inner: unknown) => (isPlainObject(inner) ? sortKeys(inner) : inner));
  return escapeRest(text ?? 'null');
}

function escapeRest(text: string): string {
  UNESCAPED.lastIndex = 0;
  return UNESCAPED.test(text) ? text.replace(UNESCAPED, escapeChar) : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties, so a "__proto__" key from the file stays data.
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((key) => [key, obj[key]]),
  );
}

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Reasons are plain text; keep each on its own line and free of control sequences. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}
