import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { StateFiles } from './port.js';

// The seals of a goal's log lines (state/witness.ts): how a controller tells the lines another omk
// process appended to its goal's logs from an outsider's. Not a secret: what omk's store does, an
// agent that reads omk's code can do too (docs/security.md says what that leaves open).

/**
 * Where an omk process that does not watch a goal (a user's `pause`, `cancel`, `budget-add`,
 * `accept` from another process, the bot) records each line it appends to one of the goal's
 * logs, by digest, before the line itself: the controller takes a line it did not append only
 * with an unused seal of its own digest. Local to the machine (never pushed).
 */
export const SEALS_FILE = '.seals.jsonl';

/** What a controller has read of its goal's seals file, and the seals not yet used by a line. */
export interface Seals {
  /** Bytes of the file read so far. */
  bytes: number;
  /** `<log>\0<digest>` → how many lines each still vouches for. */
  unused: Map<string, number>;
}

export function newSeals(): Seals {
  return { bytes: 0, unused: new Map() };
}

export function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The key a line of `log` (`events.jsonl`) is sealed and looked up by. */
export function sealKey(log: string, line: string): string {
  return `${log}\0${sha(line)}`;
}

/** The seals file's lines for the lines of `text`, about to be appended to `log`. */
export function sealLines(log: string, text: string): string {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${JSON.stringify({ log, sha256: sha(line) })}\n`)
    .join('');
}

/** Reads the seals the goal directory's seals file gained since `seals.bytes`. */
export async function readSeals(files: StateFiles, dir: string, seals: Seals): Promise<void> {
  const range = await files.readRange(join(dir, SEALS_FILE), seals.bytes, Number.MAX_SAFE_INTEGER);
  if (range === null || range.size < seals.bytes) return;
  const added = range.bytes.subarray(0, range.bytes.lastIndexOf(0x0a) + 1);
  seals.bytes += added.length;
  for (const line of added.toString('utf8').split('\n')) {
    const seal = parseSeal(line);
    if (seal !== null) add(seals.unused, `${seal.log}\0${seal.sha256}`);
  }
}

export function take(counts: Map<string, number>, key: string): boolean {
  const count = counts.get(key) ?? 0;
  if (count === 0) return false;
  if (count === 1) counts.delete(key);
  else counts.set(key, count - 1);
  return true;
}

export function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function parseSeal(line: string): { log: string; sha256: string } | null {
  if (line.trim() === '') return null;
  try {
    const value = JSON.parse(line) as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      'log' in value &&
      typeof value.log === 'string' &&
      'sha256' in value &&
      typeof value.sha256 === 'string'
    )
      return { log: value.log, sha256: value.sha256 };
  } catch {
    // A damaged seal seals nothing.
  }
  return null;
}
