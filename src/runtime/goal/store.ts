import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { BusyError, NotFoundError, OmkError, StateError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { Clock, HostInfo, Reporter } from '../ports.js';
import { writeJsonAtomic } from '../state/atomic.js';
import { pathExists } from '../state/exists.js';
import { withLock } from '../state/lock.js';
import { type GoalPaths, goalPaths, goalsDir } from '../state/paths.js';
import { readVersioned } from '../state/versioned.js';
import { checkGoalRef } from './ids.js';
import { type GoalRecord, goalRecordSchema, goalRecordVersioned } from './schema.js';

export interface StoreDeps {
  stateRoot: string;
  clock: Clock;
  host: HostInfo;
  reporter: Reporter;
}

/**
 * Goal directories under the state root: creation, CAS writes of goal.json, lookup by id.
 *
 * goal.json is read at every step of a run (the controller, the journal, delivery), so the last
 * record read or written is kept with the file's identity (inode, size, change times in ns). Every
 * write replaces the file by a rename, so a change made by anyone (another process, a pull from the
 * state branch) gives it a new identity and the next read goes to the file again.
 */
export class GoalStore {
  readonly #known = new Map<string, { identity: string; record: GoalRecord }>();

  constructor(readonly deps: StoreDeps) {}

  paths(id: string): GoalPaths {
    return goalPaths(this.deps.stateRoot, id);
  }

  /** Creates the goal directory; refuses an id that exists (ids are never reused). */
  async create(record: GoalRecord): Promise<GoalPaths> {
    const paths = this.paths(record.id);
    await mkdir(goalsDir(this.deps.stateRoot), { recursive: true });
    try {
      await mkdir(paths.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StateError(`Goal ${record.id} already exists.`, { cause: error });
      }
      throw new StateError(`Cannot create the goal directory ${paths.dir}.`, {
        cause: error,
        hint: 'Check that the state root is writable, or set OMK_STATE_DIR to a writable directory.',
      });
    }
    await mkdir(paths.gateArtifacts, { recursive: true });
    await mkdir(paths.agentRunArtifacts, { recursive: true });
    await mkdir(paths.reviewArtifacts, { recursive: true });
    const parsed = goalRecordSchema.parse(record);
    await writeJsonAtomic(paths.goal, parsed);
    await this.#remember(paths.goal, parsed);
    return paths;
  }

  /**
   * Removes a goal whose creation stopped before it was planned (its planning agent could not run
   * here): nothing of it was written but the directory, the lock and the planner's transcript.
   */
  async discard(id: string): Promise<void> {
    await rm(this.paths(id).dir, { recursive: true, force: true });
  }

  async read(id: string): Promise<GoalRecord> {
    const path = this.paths(id).goal;
    const identity = await fileIdentity(path);
    const known = this.#known.get(path);
    if (identity !== null && known?.identity === identity) return structuredClone(known.record);
    const record = await readVersioned(goalRecordVersioned, path);
    if (identity !== null) this.#known.set(path, { identity, record: structuredClone(record) });
    return record;
  }

  /** Remembers what this store just wrote, so reading it back needs no open. */
  async #remember(path: string, record: GoalRecord): Promise<void> {
    const identity = await fileIdentity(path);
    if (identity === null) this.#known.delete(path);
    else this.#known.set(path, { identity, record: structuredClone(record) });
  }

  /**
   * Writes `next` only if the goal on disk still has `next.revision` (the one the caller read):
   * a compare-and-swap, so a writer that lost a race fails instead of overwriting. Call under the lock.
   */
  async write(next: GoalRecord): Promise<GoalRecord> {
    const current = await this.read(next.id);
    if (current.revision !== next.revision) {
      throw new BusyError(`Goal ${next.id} changed while this command was working on it.`, {
        hint: 'Another omk process updated it first. Run the command again.',
      });
    }
    const written = goalRecordSchema.parse({
      ...next,
      revision: next.revision + 1,
      updatedAt: this.deps.clock.nowIso(),
    });
    const path = this.paths(next.id).goal;
    await writeJsonAtomic(path, written);
    await this.#remember(path, written);
    return written;
  }

  /**
   * Runs fn holding the goal's lock. A stale lock left by a dead process is broken and recorded as
   * a `lock_recovered` event, so the takeover is visible in replay.
   */
  async withGoalLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const recovered: string[] = [];
    return withLock(
      this.paths(id).lock,
      { host: this.deps.host, clock: this.deps.clock, onRecovered: (_previous, why) => recovered.push(why) },
      async () => {
        if (recovered.length > 0) {
          await new EventLog(this.paths(id).events, this.deps.clock, this.deps.host).append(
            recovered.map((why) => ({ type: 'lock_recovered', data: { why } })),
          );
          this.deps.reporter.warn(`recovered a stale lock on goal ${id}: ${recovered.join('; ')}`);
        }
        return fn();
      },
    );
  }

  /** Every readable goal, newest first. Unreadable ones are reported, not fatal. */
  async list(): Promise<GoalRecord[]> {
    let names: string[];
    try {
      names = await readdir(goalsDir(this.deps.stateRoot));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateError(`Cannot read ${goalsDir(this.deps.stateRoot)}.`, { cause: error });
    }
    const goals: GoalRecord[] = [];
    for (const name of names.sort()) {
      try {
        goals.push(await this.read(name));
      } catch (error) {
        if (!(error instanceof OmkError)) throw error;
        this.deps.reporter.warn(`skipping ${name}: ${error.message}`);
      }
    }
    return goals.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  /** Whether goal `id` (a whole id, not a prefix) has a goal.json here. */
  has(id: string): Promise<boolean> {
    return pathExists(this.paths(id).goal);
  }

  /** `latest`, an exact id, or a unique prefix of one. */
  async resolve(ref: string | undefined): Promise<string> {
    const wanted = checkGoalRef(ref ?? 'latest');
    // An exact id resolves without listing, so a damaged or newer goal.json reports its own error.
    if (wanted !== 'latest' && (await this.has(wanted))) return wanted;
    const goals = await this.list();
    if (goals.length === 0) {
      throw new NotFoundError('There are no goals yet.', {
        hint: ['Start one with ', { step: 'run' }, '.'],
      });
    }
    if (wanted === 'latest') return (goals[0] as GoalRecord).id;
    const exact = goals.find((goal) => goal.id === wanted);
    if (exact) return exact.id;
    const matches = goals.filter((goal) => goal.id.startsWith(wanted));
    if (matches.length === 1) return (matches[0] as GoalRecord).id;
    if (matches.length > 1) {
      throw new NotFoundError(
        `'${wanted}' matches ${matches.length} goals: ${matches.map((g) => g.id).join(', ')}.`,
        {
          hint: 'Give more of the id.',
        },
      );
    }
    throw new NotFoundError(`No goal '${wanted}'.`, { hint: ['List goals with ', { step: 'list' }, '.'] });
  }
}

/** A file's identity as far as a cache can tell: null when it cannot be seen (then read it). */
async function fileIdentity(path: string): Promise<string | null> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return null;
  }
}
