import { z } from 'zod';
import { StateError, UnsupportedVersionError } from '../errors.js';
import type { SkippedLine } from '../events/schema.js';
import type { ScanStep, StateFiles } from './port.js';

export interface JsonlReadResult<T> {
  records: T[];
  skipped: SkippedLine[];
}

const NEWLINE = 0x0a;

/**
 * Reads every line of an append-only JSON-lines file. A missing file is empty. Blank lines carry
 * nothing and are ignored; an unparsable or schema-invalid line is skipped and reported, so one bad
 * write never hides the rest of the history. A record from a newer omk (`v` > maxVersion) is fatal:
 * guessing at its meaning could corrupt what we write next.
 */
export async function readJsonl<T>(
  files: StateFiles,
  path: string,
  parse: (value: unknown) => T,
  maxVersion: number,
): Promise<JsonlReadResult<T>> {
  const text = await readTextOrEmpty(files, path);
  const records: T[] = [];
  const skipped: SkippedLine[] = [];
  if (text === '') return { records, skipped };
  // One read and one split: per-line async iteration is an order of magnitude slower.
  const lines = text.split('\n');
  const last = lines.length - 1;
  for (let i = 0; i <= last; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const result = parseLine(line, parse, (version) => {
      // Checked before the schema: a newer shape must not be mistaken for a damaged line.
      if (version > maxVersion) {
        throw new UnsupportedVersionError(
          `${path}: line ${i + 1} is record version ${version}, but this omk reads versions up to ${maxVersion}.`,
          { hint: 'It was written by a newer omk. Upgrade omk to read it.' },
        );
      }
    });
    if (result.ok) {
      records.push(result.record);
    } else if (!result.blank) {
      // The split leaves '' after a final newline, so a non-empty last element had none.
      skipped.push({ line: i + 1, reason: result.reason, torn: i === last });
    }
  }
  return { records, skipped };
}

/**
 * The last valid record, read from the end of the file backwards in growing chunks, so the cost
 * depends on the length of the last lines, not on the size of the history.
 */
export function readLastJsonl<T>(
  files: StateFiles,
  path: string,
  parse: (value: unknown) => T,
): Promise<T | null> {
  return files.scanFromEnd(path, (buf, atStart): ScanStep<T> => {
    let end = buf.length;
    for (;;) {
      // A negative offset would search from the end again, hence the explicit guard.
      const nl = end === 0 ? -1 : buf.lastIndexOf(NEWLINE, end - 1);
      if (nl === -1 && !atStart) return { carry: end };
      // '\n' never occurs inside a multi-byte UTF-8 sequence, so decoding a line alone is safe.
      const record = tryRecord(buf.subarray(nl + 1, end).toString('utf8'), parse);
      if (record !== null) return { found: record };
      if (nl === -1) return { found: null };
      end = nl;
    }
  });
}

/** Which record `readLastJsonlMatching` looks for: the last whose line contains `contains` and that `accept` takes. */
export interface LastMatch<T> {
  /** Text the record's line must contain (looked for in the bytes, before any line is parsed). */
  contains: string;
  accept: (record: T) => boolean;
}

/**
 * The last valid record that `match` picks, read from the end of the file backwards in growing
 * chunks. Only lines holding `match.contains` are parsed: a chunk without it is passed over in one
 * byte search, so a long history costs a scan of its bytes, not a parse of every line.
 */
export async function readLastJsonlMatching<T>(
  files: StateFiles,
  path: string,
  parse: (value: unknown) => T,
  match: LastMatch<T>,
): Promise<T | null> {
  const needle = Buffer.from(match.contains, 'utf8');
  if (needle.length === 0) return null;
  return files.scanFromEnd(path, (buf, atStart): ScanStep<T> => {
    let end = buf.length;
    for (;;) {
      // The last occurrence that ends by `end` (a newline or the buffer's end; the text has none).
      const from = end - needle.length;
      const hit = from < 0 ? -1 : buf.lastIndexOf(needle, from);
      if (hit === -1) {
        if (atStart) return { found: null };
        // Nothing here: keep only the line that starts in an earlier chunk.
        const first = buf.indexOf(NEWLINE);
        return { carry: first !== -1 && first < end ? first : end };
      }
      const nl = buf.lastIndexOf(NEWLINE, hit);
      const after = buf.indexOf(NEWLINE, hit);
      const lineEnd = after === -1 || after > end ? end : after;
      if (nl === -1 && !atStart) return { carry: lineEnd };
      // '\n' never occurs inside a multi-byte UTF-8 sequence, so decoding a line alone is safe.
      const record = tryRecord(buf.subarray(nl + 1, lineEnd).toString('utf8'), parse);
      if (record !== null && match.accept(record)) return { found: record };
      if (nl === -1) return { found: null };
      end = nl;
    }
  });
}

/**
 * Appends records as whole lines in one O_APPEND write, then fsyncs. After a crash tore the last
 * line, a '\n' goes first (in the same write) so the fragment stays its own reported line and the
 * new records stay intact.
 */
export async function appendJsonl(
  files: StateFiles,
  path: string,
  records: readonly object[],
): Promise<void> {
  if (records.length === 0) return;
  let text = '';
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  await files.appendLines(path, text);
}

/**
 * Appends one record per maker, numbered after the last valid `seq` in the file (1 for an empty
 * file). Each made record is serialized and parsed back before anything is written, so an invalid
 * record throws without touching the file and the returned records equal what a reader will see.
 * The caller holds the goal lock: seq allocation is read-then-write.
 */
export async function appendSequenced<T extends { seq: number }>(
  files: StateFiles,
  path: string,
  parse: (value: unknown) => T,
  makers: readonly ((seq: number) => T)[],
): Promise<T[]> {
  if (makers.length === 0) return [];
  const last = await readLastJsonl(files, path, parse);
  const first = (last?.seq ?? 0) + 1;
  const written: T[] = [];
  let text = '';
  for (const [index, make] of makers.entries()) {
    const seq = first + index;
    const line = JSON.stringify(make(seq));
    const record = parse(JSON.parse(line));
    if (record.seq !== seq) {
      throw new StateError(`${path}: a record was made with seq ${record.seq}, expected ${seq}.`);
    }
    written.push(record);
    text += `${line}\n`;
  }
  await files.appendLines(path, text);
  return written;
}

type LineResult<T> = { ok: true; record: T } | { ok: false; blank: boolean; reason: string };

function parseLine<T>(
  line: string,
  parse: (value: unknown) => T,
  checkVersion?: (version: number) => void,
): LineResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Checked only on failure, to keep the per-line cost of a healthy file down.
    const blank = line.trim() === '';
    // V8's message quotes the line itself; keep the reason short, stable and free of file content.
    return { ok: false, blank, reason: 'not valid JSON' };
  }
  const version = versionOf(value);
  if (version !== undefined) checkVersion?.(version);
  try {
    return { ok: true, record: parse(value) };
  } catch (error) {
    return { ok: false, blank: false, reason: describeInvalid(error) };
  }
}

function tryRecord<T>(line: string, parse: (value: unknown) => T): T | null {
  const result = parseLine(line, parse);
  return result.ok ? result.record : null;
}

function describeInvalid(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issues = error.issues.map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return `${where}${issue.message}`;
    });
    return `does not match the schema (${issues.join('; ')})`;
  }
  return `does not match the schema (${error instanceof Error ? error.message : String(error)})`;
}

function versionOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('v' in value)) return undefined;
  return typeof value.v === 'number' ? value.v : undefined;
}

async function readTextOrEmpty(files: StateFiles, path: string): Promise<string> {
  try {
    return (await files.readText(path)) ?? '';
  } catch (error) {
    throw new StateError(`Cannot read ${path}.`, { cause: error });
  }
}
