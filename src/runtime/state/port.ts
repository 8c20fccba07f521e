import type { Clock, HostInfo } from '../ports.js';

/**
 * The store port for goal state: the files of a goal directory (goal.json, events.jsonl,
 * execution.json, proof.json, the artifacts, the lock) are read and written only through it. What
 * the files mean (schemas, versions, sequence numbers, the compare-and-swap on goal.json) stays in
 * the runtime; how they reach the disk (atomic renames, O_APPEND, fsync, O_EXCL locks) is the
 * adapter's (`adapters/state/local-files.ts`). The remote mirror of the same directories is the
 * other adapter side, `RemoteStateStore` (state/remote.ts).
 */
export interface StateFiles {
  /** The file's text; null when it does not exist. Any other failure throws the host's error. */
  readText(path: string): Promise<string | null>;
  /** Writes a whole file or nothing: a reader never sees a half-written file, even after a crash. */
  writeAtomic(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * writeAtomic, but the new file replaces the old only while the old still has `identity` (null:
   * no file), looked at right before the rename: false, nothing written, when it changed. How the
   * state witness keeps an outside edit from being covered by omk's own write unseen; a store
   * without it leaves that window open (from the witness's check to its write).
   */
  replaceIfIdentity?(path: string, data: string | Uint8Array, identity: string | null): Promise<boolean>;
  /**
   * Appends `text` (whole lines) in one write, then makes it durable. After a crash tore the last
   * line, a '\n' goes first (in the same write) so the fragment stays its own line.
   */
  appendLines(path: string, text: string): Promise<void>;
  /**
   * Reads the file from its end backwards in growing chunks and hands `visit` each chunk joined to
   * the bytes it kept from the last one, with whether the file's start is reached; `visit` answers
   * or says how many leading bytes to keep for the next chunk. A missing file answers null.
   */
  scanFromEnd<T>(path: string, visit: (buf: Buffer, atStart: boolean) => ScanStep<T>): Promise<T | null>;
  /**
   * At most `maxBytes` of the file from byte `start` (fewer at its end; none when `start` is at or
   * past it), with the file's size when it was read: how a follower reads only what a log gained.
   * A negative `start` counts from the file's end (a log's last bytes). Null when the file does not
   * exist.
   */
  readRange(path: string, start: number, maxBytes: number): Promise<FileRange | null>;
  /** Whether `path` exists (any kind of file); an unreadable path counts as missing. */
  exists(path: string): Promise<boolean>;
  /**
   * The file's identity as far as a cache can tell (it changes with every rewrite, by anyone);
   * null when it cannot be seen.
   */
  identity(path: string): Promise<string | null>;
  /** Creates the directory and its parents; an existing one is fine. */
  makeDirs(path: string): Promise<void>;
  /** Creates one directory; false when it already exists. */
  createDir(path: string): Promise<boolean>;
  /** The names in a directory; null when it does not exist. */
  list(dir: string): Promise<string[] | null>;
  /** Removes a file or a directory tree; a missing one is fine. */
  remove(path: string): Promise<void>;
  /**
   * Runs fn while holding the lock at `lockPath` (exactly one holder across processes), then
   * releases it if it is still ours. A stale lock (dead holder, too old) is broken.
   */
  withLock<T>(lockPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T>;
}

export interface FileRange {
  bytes: Buffer;
  /** The file's size in bytes when it was read. */
  size: number;
}

/** What a backwards scan makes of the bytes read so far: the answer, or how many leading bytes to keep. */
export type ScanStep<T> = { found: T | null } | { carry: number };

export interface LockInfo {
  pid: number;
  host: string;
  acquiredAt: string;
  token: string;
}

export interface LockOptions {
  host: HostInfo;
  /** Stamps `acquiredAt` and judges staleness. Waiting itself uses the monotonic timer. */
  clock: Clock;
  /** How long to wait for a busy lock before giving up (default 5000 ms), polling with backoff. */
  waitMs?: number;
  /** A lock older than this is stale even if its pid looks alive (pid reuse); default 10 minutes. */
  staleMs?: number;
  /**
   * Called right after this waiter broke a stale lock (before it holds the lock itself), so the
   * caller can record an event once it does.
   */
  onRecovered?: (previous: LockInfo | null, why: string) => void;
}
