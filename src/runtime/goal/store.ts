import { mkdir, readdir } from 'node:fs/promises';
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

/** Goal directories under the state root: creation, CAS writes of goal.json, lookup by id. */
export class GoalStore {
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
    await writeJsonAtomic(paths.goal, goalRecordSchema.parse(record));
    return paths;
  }

  async read(id: string): Promise<GoalRecord> {
    return readVersioned(goalRecordVersioned, this.paths(id).goal);
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
    await writeJsonAtomic(this.paths(next.id).goal, written);
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
          await new EventLog(this.paths(id).events, this.deps.clock).append(
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

  /** `latest`, an exact id, or a unique prefix of one. */
  /** Whether goal `id` (a whole id, not a prefix) has a goal.json here. */
  has(id: string): Promise<boolean> {
    return pathExists(this.paths(id).goal);
  }

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
