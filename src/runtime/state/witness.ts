import { createHash, type Hash } from 'node:crypto';
import { basename, dirname, join, relative } from 'node:path';
import type { FileRange, LockOptions, ScanStep, StateFiles } from './port.js';
import { add, newSeals, readSeals, SEALS_FILE, type Seals, sealKey, sealLines, sha, take } from './seals.js';

export { SEALS_FILE } from './seals.js';

// An unsandboxed agent runs as omk's user and can write omk's state root. The controller cannot
// keep it out, but it can keep in memory what it wrote and read of its goal's evidence, out of the
// agent's reach, and compare the disk with that: this store port wrapper does so for every read
// and write of the files it is told to watch (`watch`), and the controller asks it after every
// agent and gate run and before the proof (`verify`). What the proof is built from on disk then
// is what the controller wrote, or the difference is a finding.

/** The evidence files the controller owns whole while it runs: it writes them from memory. */
export const OWNED_FILES = ['execution.json', 'task-graph.json'] as const;
/** Its append-only logs: what other omk processes add comes with a seal (`state/seals.ts`), nothing else. */
export const OWNED_LOGS = ['events.jsonl', 'decisions.jsonl', 'budget.jsonl'] as const;

/**
 * Event types other omk processes append to another goal's log (`integrity/state-root.ts`, which
 * compares the goals no controller of this process watches): lifecycle commands and the records
 * they write with it.
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

/**
 * The bytes of a log's seen end compared at every check: a run's check reads only these and what
 * was added after them. The whole seen part is compared (by its digest, kept as the log grew) at
 * a thorough check, before the proof.
 */
export const LOG_TAIL_BYTES = 4096;
const TO_THE_END = Number.MAX_SAFE_INTEGER;
const NEWLINE = 0x0a;

/** One file of the watched goal that differs from what the controller wrote or saw. */
export interface Tampering {
  /** The file's name in the goal directory (`execution.json`, `events.jsonl`, `artifacts/gates/test.log`). */
  file: string;
  /** Its whole path (never shown: proofs name no machine path). */
  path: string;
  /** What differs, in plain words. */
  what: string;
  /** Whether omk put back its own copy (the whole files); a log or an artifact is never rewritten. */
  restored: boolean;
}

interface Owned {
  /** What the controller last wrote or first read; null: no such file. */
  text: string | null;
  identity: string | null;
}

interface Seen {
  /** Bytes of the log seen and accepted so far (whole lines), their digest kept as they grew, and their end. */
  bytes: number;
  prefix: Hash;
  tail: Buffer;
  /** The file's identity when it was last read up to `bytes`: unchanged, nothing was written since. */
  identity: string | null;
  /** Lines this process appended since, not yet seen on disk (text → count). */
  own: Map<string, number>;
}

/** An artifact omk wrote for the proof (a transcript, a gate log, a kept patch, a review). */
interface Kept {
  digest: string;
  identity: string | null;
}

/** The part of `bytes` up to and with its last newline: a line still being written is left for later. */
function wholeLines(bytes: Buffer): Buffer {
  return bytes.subarray(0, bytes.lastIndexOf(NEWLINE) + 1);
}

/** At most this many tries to replace an owned file that keeps changing under omk's check. */
const MAX_REPLACE_TRIES = 5;

export class StateWitness implements StateFiles {
  readonly #owned = new Map<string, Owned>();
  readonly #logs = new Map<string, Seen>();
  readonly #seals = new Map<string, Seals>();
  /** The artifacts directories of the watched goals, and what omk wrote in them. */
  readonly #artifactDirs = new Set<string>();
  readonly #artifacts = new Map<string, Kept>();
  /** One check or write of a watched file at a time, so a check never sees a write half-recorded. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Per watched events log: the lines other omk processes appended (sealed), not yet taken. */
  readonly #outsiders = new Map<string, string[]>();
  #found: Tampering[] = [];

  constructor(private readonly inner: StateFiles) {}

  /**
   * Starts watching these files of a goal directory: what is on disk now is the baseline (a run
   * takes the goal as it finds it). Watching again keeps what is known. `artifacts`: the goal's
   * directories whose files omk writes (or `keepArtifact`s) are kept by digest: its artifacts,
   * its saved branches' bundles.
   */
  async watch(paths: {
    owned: readonly string[];
    logs: readonly string[];
    artifacts?: readonly string[];
  }): Promise<void> {
    for (const dir of paths.artifacts ?? []) this.#artifactDirs.add(dir);
    for (const path of paths.owned) {
      if (this.#owned.has(path)) continue;
      const identity = await this.inner.identity(path);
      const text = await this.inner.readText(path);
      this.#owned.set(path, { text, identity });
    }
    const baseline = new Map<string, string[]>();
    for (const path of paths.logs) {
      if (this.#logs.has(path)) continue;
      const identity = await this.inner.identity(path);
      const text = wholeLines((await this.inner.readRange(path, 0, TO_THE_END))?.bytes ?? Buffer.alloc(0));
      this.#logs.set(path, {
        bytes: text.length,
        prefix: createHash('sha256').update(text),
        tail: Buffer.from(text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES))),
        identity,
        own: new Map(),
      });
      const keys = baseline.get(dirname(path)) ?? [];
      for (const line of text.toString('utf8').split('\n'))
        if (line.trim() !== '') keys.push(sealKey(basename(path), line));
      baseline.set(dirname(path), keys);
    }
    // The seals are read after the logs: a seal whose line is already in the baseline is used up
    // (a copy of that line appended later has none), one whose line comes later waits for it.
    for (const [dir, keys] of baseline) {
      if (this.#seals.has(dir)) continue;
      const seals = newSeals();
      this.#seals.set(dir, seals);
      await readSeals(this.inner, dir, seals);
      for (const key of keys) take(seals.unused, key);
    }
  }

  /**
   * Compares every watched file under `dir` (a goal directory) with what is known, restores the
   * owned ones, and says what differed there. The artifacts omk kept are compared by identity
   * (a stat), and by digest when it changed. `thorough` (before the proof): each log's whole seen
   * part is compared, not only its end.
   */
  async verify(dir: string, { thorough = false }: { thorough?: boolean } = {}): Promise<Tampering[]> {
    const under = (path: string) => path.startsWith(`${dir}/`);
    for (const path of [...this.#owned.keys()].filter(under))
      await this.#serial(path, () => this.#checkOwned(path, true));
    for (const path of [...this.#logs.keys()].filter(under))
      await this.#serial(path, () => this.#checkLog(path, thorough));
    for (const path of [...this.#artifacts.keys()].filter(under))
      await this.#serial(path, () => this.#checkArtifact(dir, path));
    return this.take(dir);
  }

  /** What was found under `dir` since the last call (by `verify`, or by a read or write on the way). */
  take(dir: string): Tampering[] {
    const found = this.#found.filter((t) => t.path.startsWith(`${dir}/`));
    this.#found = this.#found.filter((t) => !found.includes(t));
    return found;
  }

  /**
   * Takes the file at `path` (an artifact a run of omk's wrote: an agent's transcript, a gate's
   * log, a kept patch), as it is now, as omk's: a later change is found before the proof.
   */
  async keepArtifact(path: string): Promise<void> {
    if (!this.#isArtifact(path)) return;
    await this.#serial(path, async () => {
      const identity = await this.inner.identity(path);
      const range = await this.inner.readRange(path, 0, TO_THE_END);
      if (range === null) this.#artifacts.delete(path);
      else this.#artifacts.set(path, { digest: sha(range.bytes), identity });
    });
  }

  /**
   * The lines other omk processes appended (each with its seal) to the watched events log at
   * `path` since the last call, once what the log gained is read (the goal.json guard matches a
   * change of goal.json with the command's event, which that command appends first).
   */
  async outsiderLines(path: string): Promise<string[]> {
    await this.#serial(path, () => this.#checkLog(path, false));
    const lines = this.#outsiders.get(path) ?? [];
    this.#outsiders.delete(path);
    return lines;
  }

  /** Whether `path` is an artifact omk wrote or kept (compared by `verify`, not by the state root's check). */
  keeps(path: string): boolean {
    return this.#artifacts.has(path);
  }

  #isArtifact(path: string): boolean {
    for (const dir of this.#artifactDirs) if (path.startsWith(`${dir}/`)) return true;
    return false;
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
    // Every write of ours is a rename, so an unchanged identity is an unchanged file. It is taken
    // before the content is read: a change after the read gives the file another identity.
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

  /**
   * What the log gained since it was last seen, line by line; first, that what was seen is still
   * there: its last `LOG_TAIL_BYTES` (or, `whole`, all of it, by digest). An unchanged identity
   * means nothing wrote the file since, and nothing is read.
   */
  async #checkLog(path: string, whole: boolean): Promise<void> {
    const seen = this.#logs.get(path);
    if (!seen) return;
    const identity = await this.inner.identity(path);
    if (!whole && identity === seen.identity) return;
    const from = whole ? 0 : Math.max(0, seen.bytes - LOG_TAIL_BYTES);
    const range = await this.inner.readRange(path, from, TO_THE_END);
    const known = seen.bytes - from;
    if (!this.#intact(seen, range, known, whole)) {
      this.#found.push({
        file: basename(path),
        path,
        what: 'rewritten: lines omk had seen were changed or removed',
        restored: false,
      });
      // From now on the log as it is is what was seen: the rewrite is said once.
      const all = wholeLines(
        (from === 0 ? range : await this.inner.readRange(path, 0, TO_THE_END))?.bytes ?? Buffer.alloc(0),
      );
      seen.bytes = all.length;
      seen.prefix = createHash('sha256').update(all);
      seen.tail = Buffer.from(all.subarray(Math.max(0, all.length - LOG_TAIL_BYTES)));
      seen.identity = null;
      return;
    }
    const added = wholeLines((range?.bytes ?? Buffer.alloc(0)).subarray(known));
    await this.#judgeLines(path, seen, added.toString('utf8'));
    seen.bytes += added.length;
    seen.prefix.update(added);
    const end = Buffer.concat([seen.tail, added]);
    seen.tail = Buffer.from(end.subarray(Math.max(0, end.length - LOG_TAIL_BYTES)));
    seen.identity = identity;
  }

  #intact(seen: Seen, range: FileRange | null, known: number, whole: boolean): boolean {
    if (range === null) return seen.bytes === 0;
    if (range.size < seen.bytes || range.bytes.length < known) return false;
    const part = range.bytes.subarray(0, known);
    return whole
      ? sha(part) === seen.prefix.copy().digest('hex')
      : part.equals(seen.tail.subarray(seen.tail.length - known));
  }

  /** Each added line is the controller's own, another omk process's (sealed), or a finding. */
  async #judgeLines(path: string, seen: Seen, text: string): Promise<void> {
    const file = basename(path);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      if (take(seen.own, line)) continue;
      if (await this.#sealed(dirname(path), file, line)) {
        if (file === 'events.jsonl') this.#outsiders.set(path, [...(this.#outsiders.get(path) ?? []), line]);
        continue;
      }
      const type = file === 'events.jsonl' ? eventType(line) : null;
      this.#found.push({
        file,
        path,
        what: `given a line omk did not write${type === null ? '' : ` (type \`${type.slice(0, 40)}\`)`}`,
        restored: false,
      });
    }
  }

  async #sealed(dir: string, log: string, line: string): Promise<boolean> {
    const key = sealKey(log, line);
    let seals = this.#seals.get(dir);
    if (!seals) {
      seals = newSeals();
      this.#seals.set(dir, seals);
    }
    if (take(seals.unused, key)) return true;
    const known = seals;
    await this.#serial(join(dir, SEALS_FILE), () => readSeals(this.inner, dir, known));
    return take(seals.unused, key);
  }

  async #checkArtifact(dir: string, path: string): Promise<void> {
    const kept = this.#artifacts.get(path);
    if (!kept) return;
    const identity = await this.inner.identity(path);
    if (identity !== null && identity === kept.identity) return;
    const range = await this.inner.readRange(path, 0, TO_THE_END);
    const digest = range === null ? null : sha(range.bytes);
    if (digest === kept.digest) {
      kept.identity = identity;
      return;
    }
    this.#found.push({
      file: relative(dir, path),
      path,
      what: digest === null ? 'removed' : 'changed',
      restored: false,
    });
    // Said once: what is there now is the next check's baseline.
    if (digest === null) this.#artifacts.delete(path);
    else this.#artifacts.set(path, { digest, identity });
  }

  /** Replaces an owned file only while it is still what the check just found (see the port). */
  async #replace(path: string, data: string | Uint8Array, identity: string | null): Promise<boolean> {
    if (this.inner.replaceIfIdentity) return this.inner.replaceIfIdentity(path, data, identity);
    await this.inner.writeAtomic(path, data);
    return true;
  }

  async readText(path: string): Promise<string | null> {
    if (!this.#owned.has(path)) return this.inner.readText(path);
    // The controller reads back what it wrote, whatever an outsider put there meanwhile.
    return this.#serial(path, async () => (await this.#checkOwned(path))?.text ?? null);
  }

  async writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
    const owned = this.#owned.get(path);
    const seen = this.#logs.get(path);
    if (!owned && !seen) {
      await this.inner.writeAtomic(path, data);
      // An artifact omk writes itself (a review, a scrubbed log) is kept as written.
      if (this.#isArtifact(path)) {
        const identity = await this.inner.identity(path);
        this.#artifacts.set(path, { digest: sha(Buffer.from(data)), identity });
      }
      return;
    }
    const bytes = Buffer.from(data);
    return this.#serial(path, async () => {
      if (owned) {
        // What an outsider left is found before this write covers it: by content, since the
        // identity taken after the last write may be of a file renamed over it since. The
        // identity the check took is the one the rename still requires, so a change landing
        // between the check and the rename is looked at (again) rather than covered unseen.
        let written = false;
        for (let tries = 0; !written && tries < MAX_REPLACE_TRIES; tries++) {
          await this.#checkOwned(path, true);
          written = await this.#replace(path, data, owned.identity);
        }
        if (!written) await this.inner.writeAtomic(path, data);
        owned.text = bytes.toString('utf8');
        owned.identity = await this.inner.identity(path);
      } else {
        await this.#checkLog(path, true);
        await this.inner.writeAtomic(path, data);
      }
      if (seen) {
        const text = wholeLines(bytes);
        seen.bytes = text.length;
        seen.prefix = createHash('sha256').update(text);
        seen.tail = Buffer.from(text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)));
        // Not the identity after the write: an append landing before it would pass as seen.
        seen.identity = null;
        seen.own.clear();
      }
    });
  }

  async appendLines(path: string, text: string): Promise<void> {
    const seen = this.#logs.get(path);
    if (seen) {
      for (const line of text.split('\n')) if (line !== '') add(seen.own, line);
    } else if ((OWNED_LOGS as readonly string[]).includes(basename(path))) {
      // Not this process's goal: another omk process may control it. The seals go first, so its
      // controller never sees the line without one.
      const seals = sealLines(basename(path), text);
      if (seals !== '') await this.inner.appendLines(join(dirname(path), SEALS_FILE), seals);
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
