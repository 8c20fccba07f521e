import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { FileRange, LockOptions, ScanStep, StateFiles } from './port.js';

// An unsandboxed agent runs as omk's user and can write omk's state root. The controller cannot
// keep it out, but it can keep in memory what it wrote and read of its goal's evidence, out of the
// agent's reach, and compare the disk with that: this store port wrapper does so for every read
// and write of the files it is told to watch (`watch`), and the controller asks it after every
// agent and gate run and before the proof (`verify`). What the proof is built from on disk then
// is what the controller wrote, or the difference is a finding.

/** The evidence files the controller owns whole while it runs: it writes them from memory. */
export const OWNED_FILES = ['execution.json', 'task-graph.json'] as const;
/** Its append-only logs: what others may add is `outsiderLines` (below), nothing else. */
export const OWNED_LOGS = ['events.jsonl', 'decisions.jsonl'] as const;

/**
 * Event types other omk processes append to a goal's log while its controller runs (a user's
 * `pause`, `cancel`, `budget-add`, `accept`, `reject`, a review fix asked on a PR, the lock and
 * proof records those commands write). Any other line omk did not append itself is tampering.
 */
export const OUTSIDER_EVENTS: readonly string[] = [
  'goal_paused',
  'goal_resumed',
  'goal_cancelled',
  'goal_accepted',
  'goal_rejected',
  'budget_added',
  'proof_built',
  'lock_recovered',
  'fix_requested',
];

/** One file of the watched goal that differs from what the controller wrote or saw. */
export interface Tampering {
  /** The file's name in the goal directory (`execution.json`, `events.jsonl`). */
  file: string;
  /** Its whole path (never shown: proofs name no machine path). */
  path: string;
  /** What differs, in plain words. */
  what: string;
  /** Whether omk put back its own copy (the whole files); a log is never rewritten. */
  restored: boolean;
}

interface Owned {
  /** What the controller last wrote or first read; null: no such file. */
  text: string | null;
  identity: string | null;
}

interface Seen {
  /** Characters of the log seen and accepted so far, and the digest of exactly those. */
  length: number;
  digest: string;
  /** Lines this process appended since, not yet seen on disk (text → count). */
  own: Map<string, number>;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class StateWitness implements StateFiles {
  readonly #owned = new Map<string, Owned>();
  readonly #logs = new Map<string, Seen>();
  /** One check or write of a watched file at a time, so a check never sees a write half-recorded. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #found: Tampering[] = [];

  constructor(private readonly inner: StateFiles) {}

  /**
   * Starts watching these files of a goal directory: what is on disk now is the baseline (a run
   * takes the goal as it finds it). Watching again keeps what is known.
   */
  async watch(paths: { owned: readonly string[]; logs: readonly string[] }): Promise<void> {
    for (const path of paths.owned) {
      if (this.#owned.has(path)) continue;
      const text = await this.inner.readText(path);
      this.#owned.set(path, { text, identity: await this.inner.identity(path) });
    }
    for (const path of paths.logs) {
      if (this.#logs.has(path)) continue;
      const read = (await this.inner.readText(path)) ?? '';
      const text = read.slice(0, read.lastIndexOf('\n') + 1);
      this.#logs.set(path, { length: text.length, digest: sha(text), own: new Map() });
    }
  }

  /**
   * Compares every watched file under `dir` (a goal directory) with what is known, restores the
   * owned ones, and says what differed there.
   */
  async verify(dir: string): Promise<Tampering[]> {
    const under = (path: string) => path.startsWith(`${dir}/`);
    for (const path of [...this.#owned.keys()].filter(under))
      await this.#serial(path, () => this.#checkOwned(path, true));
    for (const path of [...this.#logs.keys()].filter(under))
      await this.#serial(path, async () => this.#checkLog(path, (await this.inner.readText(path)) ?? ''));
    return this.take(dir);
  }

  /** What was found under `dir` since the last call (by `verify`, or by a read or write on the way). */
  take(dir: string): Tampering[] {
    const found = this.#found.filter((t) => t.path.startsWith(`${dir}/`));
    this.#found = this.#found.filter((t) => !found.includes(t));
    return found;
  }

  #serial<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(path) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(path, tail);
    void tail.then(() => {
      if (this.#queues.get(path) === tail) this.#queues.delete(path);
    });
    return run;
  }

  /**
   * `thorough`: the content is compared whatever the identity says. The identity is taken right
   * after a write of ours, so a rename by someone else in between would pass for ours; a read on
   * the way trusts it (it returns omk's own text anyway), a write and `verify` do not.
   */
  async #checkOwned(path: string, thorough = false): Promise<Owned | undefined> {
    const known = this.#owned.get(path);
    if (!known) return undefined;
    // Every write of ours is a rename, so an unchanged identity is an unchanged file.
    const identity = await this.inner.identity(path);
    if (!thorough && identity !== null && identity === known.identity) return known;
    const text = await this.inner.readText(path);
    if (text === known.text) {
      known.identity = identity;
      return known;
    }
    this.#found.push({
      file: basename(path),
      path,
      what: text === null ? 'removed' : 'changed',
      restored: true,
    });
    if (known.text === null) await this.inner.remove(path);
    else await this.inner.writeAtomic(path, known.text);
    known.identity = await this.inner.identity(path);
    return known;
  }

  #checkLog(path: string, read: string): void {
    const seen = this.#logs.get(path);
    if (!seen) return;
    const file = basename(path);
    // A line still being appended (no newline yet) is looked at once it is whole.
    const text = read.slice(0, read.lastIndexOf('\n') + 1);
    if (text.length < seen.length || sha(text.slice(0, seen.length)) !== seen.digest) {
      this.#found.push({
        file,
        path,
        what: 'rewritten: lines omk had seen were changed or removed',
        restored: false,
      });
    } else {
      for (const line of text.slice(seen.length).split('\n')) {
        if (line.trim() === '') continue;
        const mine = seen.own.get(line) ?? 0;
        if (mine > 0) {
          if (mine === 1) seen.own.delete(line);
          else seen.own.set(line, mine - 1);
          continue;
        }
        const type = file === 'events.jsonl' ? eventType(line) : null;
        if (type !== null && OUTSIDER_EVENTS.includes(type)) continue;
        this.#found.push({
          file,
          path,
          what: `given a line omk did not write${type === null ? '' : ` (type \`${type.slice(0, 40)}\`)`}`,
          restored: false,
        });
      }
    }
    seen.length = text.length;
    seen.digest = sha(text);
  }

  async readText(path: string): Promise<string | null> {
    if (!this.#owned.has(path)) return this.inner.readText(path);
    // The controller reads back what it wrote, whatever an outsider put there meanwhile.
    return this.#serial(path, async () => (await this.#checkOwned(path))?.text ?? null);
  }

  async writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
    const owned = this.#owned.get(path);
    const seen = this.#logs.get(path);
    if (!owned && !seen) return this.inner.writeAtomic(path, data);
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    return this.#serial(path, async () => {
      // What an outsider left is found before this write covers it: by content, since the
      // identity taken after the last write may be of a file renamed over it since.
      if (owned) await this.#checkOwned(path, true);
      if (seen) this.#checkLog(path, (await this.inner.readText(path)) ?? '');
      await this.inner.writeAtomic(path, data);
      if (owned) {
        owned.text = text;
        owned.identity = await this.inner.identity(path);
      }
      if (seen) {
        seen.length = text.length;
        seen.digest = sha(text);
        seen.own.clear();
      }
    });
  }

  async appendLines(path: string, text: string): Promise<void> {
    const seen = this.#logs.get(path);
    if (seen) {
      for (const line of text.split('\n')) {
        if (line !== '') seen.own.set(line, (seen.own.get(line) ?? 0) + 1);
      }
    }
    await this.inner.appendLines(path, text);
  }

  scanFromEnd<T>(path: string, visit: (buf: Buffer, atStart: boolean) => ScanStep<T>): Promise<T | null> {
    return this.inner.scanFromEnd(path, visit);
  }
  readRange(path: string, start: number, maxBytes: number): Promise<FileRange | null> {
    return this.inner.readRange(path, start, maxBytes);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  identity(path: string): Promise<string | null> {
    return this.inner.identity(path);
  }
  makeDirs(path: string): Promise<void> {
    return this.inner.makeDirs(path);
  }
  createDir(path: string): Promise<boolean> {
    return this.inner.createDir(path);
  }
  list(dir: string): Promise<string[] | null> {
    return this.inner.list(dir);
  }
  remove(path: string): Promise<void> {
    return this.inner.remove(path);
  }
  withLock<T>(lockPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
    return this.inner.withLock(lockPath, options, fn);
  }
}

function eventType(line: string): string | null {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string')
      return value.type;
  } catch {
    // Not JSON: reported as a line omk did not write.
  }
  return null;
}
