import { createHash, type Hash } from 'node:crypto';
import type { StateFiles } from '../state/port.js';
import { eventTypes } from './log-tail.js';

// Before every agent and gate run the state root's check marks the recent other goals' logs by
// the digest of what they hold, so that after the run a rewrite of any line is found, not only an
// append. Reading 64 logs whole around every run costs more than the run's other checks together,
// and those logs seldom change: what this process last read of each is kept (its stat entry, its
// length, the digest as it grew, its last bytes), and a log whose entry is unchanged is not read
// again; one that only grew in place is read from the end it had. The check after the run still
// reads a log that changed meanwhile whole, so nothing it compares is taken on trust.

/** What a run's check knows of another goal's log before the run: whole lines, by digest. */
export interface DigestMark {
  length: number;
  digest: string;
}

interface Known {
  /** The log's state-tree entry (`kind:dev:ino:size:mtime:ctime`) when it was last read. */
  entry: string;
  length: number;
  hash: Hash;
  /** The last bytes of the known part: still there, the log was appended to, not rewritten. */
  tail: Buffer;
}

const TAIL_BYTES = 4096;
const TO_THE_END = Number.MAX_SAFE_INTEGER;

function wholeLines(bytes: Buffer): Buffer {
  return bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
}

function lastBytes(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)));
}

/** The same file (kind, device, inode): an append keeps it, a rename over it does not. */
function sameFile(a: string, b: string): boolean {
  return a.split(':').slice(0, 3).join(':') === b.split(':').slice(0, 3).join(':');
}

/** The logs of other goals as this process last read them, by path. */
export class OtherLogs {
  readonly #known = new Map<string, Known>();

  constructor(private readonly files: StateFiles) {}

  /** The log at `path` as it is now, `entry` its stat entry just taken (undefined: no such file). */
  async mark(path: string, entry: string | undefined): Promise<DigestMark> {
    const known = this.#known.get(path);
    if (known !== undefined && entry !== undefined) {
      if (known.entry === entry) return digestOf(known);
      if (sameFile(known.entry, entry) && (await this.#grown(path, known))) {
        known.entry = entry;
        return digestOf(known);
      }
    }
    const whole = wholeLines((await this.files.readRange(path, 0, TO_THE_END))?.bytes ?? Buffer.alloc(0));
    const fresh: Known = {
      entry: entry ?? '',
      length: whole.length,
      hash: createHash('sha256').update(whole),
      tail: lastBytes(whole),
    };
    if (entry === undefined) this.#known.delete(path);
    else this.#known.set(path, fresh);
    return digestOf(fresh);
  }

  /** Reads what the log gained after its known end, when that end is still there; false if not. */
  async #grown(path: string, known: Known): Promise<boolean> {
    const from = known.length - known.tail.length;
    const range = await this.files.readRange(path, from, TO_THE_END);
    if (range === null || range.bytes.length < known.tail.length) return false;
    if (!range.bytes.subarray(0, known.tail.length).equals(known.tail)) return false;
    const added = wholeLines(range.bytes.subarray(known.tail.length));
    known.hash.update(added);
    known.length += added.length;
    known.tail = lastBytes(Buffer.concat([known.tail, added]));
    return true;
  }
}

function digestOf(known: Known): DigestMark {
  return { length: known.length, digest: known.hash.copy().digest('hex') };
}

/**
 * The types of the whole lines the log at `path` gained after `mark`; null when what the mark
 * holds is no longer there whole (a line changed or removed) or a line is not an event.
 */
export async function typesGainedSince(
  files: StateFiles,
  path: string,
  mark: DigestMark,
): Promise<string[] | null> {
  const bytes = (await files.readRange(path, 0, TO_THE_END))?.bytes ?? Buffer.alloc(0);
  if (bytes.length < mark.length) return null;
  const digest = createHash('sha256').update(bytes.subarray(0, mark.length)).digest('hex');
  if (digest !== mark.digest) return null;
  return eventTypes(wholeLines(bytes.subarray(mark.length)).toString('utf8'));
}

const byStore = new WeakMap<object, OtherLogs>();

/** The other goals' logs as the process of `store` last read them (one per store, kept while it lives). */
export function otherLogsOf(store: { deps: { files: StateFiles } }): OtherLogs {
  let logs = byStore.get(store);
  if (logs === undefined) {
    logs = new OtherLogs(store.deps.files);
    byStore.set(store, logs);
  }
  return logs;
}
