import { BusyError, NotFoundError, OmkError, StateError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { Clock, HostInfo, Reporter } from '../ports.js';
import { type GoalPaths, goalPaths, goalsDir } from '../state/paths.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, writeJsonAtomic } from '../state/versioned.js';
import { OWNED_FILES, OWNED_LOGS, StateWitness, type Tampering } from '../state/witness.js';
import { checkGoalRef } from './ids.js';
import { holdingHere, noteControlled, noteCreated } from './made-here.js';
import { FIXED_PART, GoalRecordGuard } from './record-guard.js';
import { goalsIn, noGoalHere, type RepoScope } from './repo-scope.js';
import { type GoalRecord, goalRecordSchema, goalRecordVersioned } from './schema.js';
import { CREATOR_FILE, setAsideWhy, UNTRUSTED_FILE } from './set-aside.js';

export interface StoreDeps {
  stateRoot: string;
  clock: Clock;
  host: HostInfo;
  reporter: Reporter;
  /** Where goal state is read and written (the local file store in every composition today). */
  files: StateFiles;
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
  readonly #witness: StateWitness;
  /**
   * For the goals this process controls (`watchGoal`): goal.json as last written or accepted here
   * (`record-guard.ts`), and what differed from it since. Other omk processes change only the
   * status, the controller and the budget while a goal runs, each with its event.
   */
  readonly #guarded = new Map<string, { guard: GoalRecordGuard; found: Tampering[]; owed: boolean }>();

  constructor(readonly deps: StoreDeps) {
    this.#witness = new StateWitness(deps.files);
  }

  /**
   * The store port every read and write of goal state goes through: `deps.files`, behind the
   * witness that keeps what this process wrote of the goals it controls (`watchGoal`).
   */
  get files(): StateFiles {
    return this.#witness;
  }

  /**
   * From now on this process keeps in memory what it writes and reads of the goal's evidence
   * (execution.json, task-graph.json, events.jsonl, decisions.jsonl): the controller calls it
   * when it takes the goal, and `verifyGoal` compares the disk with it.
   */
  async watchGoal(id: string): Promise<void> {
    const paths = this.paths(id);
    const at = (name: string) => `${paths.dir}/${name}`;
    noteControlled(paths.dir);
    await this.#witness.watch({
      owned: OWNED_FILES.map(at),
      logs: OWNED_LOGS.map(at),
      artifacts: [paths.artifacts, paths.kept],
    });
    // goal.json as it is once the log is watched: a pause or cancel that landed before is the
    // record's own state (the takeover then loses to it), one after comes with its sealed event.
    if (!this.#guarded.has(id))
      this.#guarded.set(id, { guard: new GoalRecordGuard(await this.read(id)), found: [], owed: false });
  }

  /**
   * What differs in goal `id`'s watched files from what this process wrote or saw (owned files
   * restored; goal.json's fields are read back as this process knows them). goal.json is read
   * again only when its identity changed, unless `byContent` (before a proof): the identity taken
   * right after omk's own write could be of a file renamed over it in between, and omk's next write
   * of goal.json would cover such a file, so the check that counts is the one before the proof.
   * `byContent` also compares each log's whole seen part (a run's check compares its end) and the
   * artifacts omk kept.
   */
  async verifyGoal(id: string, { byContent = false }: { byContent?: boolean } = {}): Promise<Tampering[]> {
    const guard = this.#guarded.get(id);
    if (guard) {
      if (byContent)
        await this.#guard(id, await readVersioned(this.files, goalRecordVersioned, this.paths(id).goal));
      else await this.read(id);
    }
    const found = guard?.found.splice(0) ?? [];
    return [...found, ...(await this.#witness.verify(this.paths(id).dir, { thorough: byContent }))];
  }

  /**
   * Takes an artifact a run of omk's just wrote (a transcript, a gate log, a kept patch) as omk's,
   * by digest, when this process watches its goal: a later change is found before the proof.
   */
  keepArtifact(path: string): Promise<void> {
    return this.#witness.keepArtifact(path);
  }

  /** Whether `path` is an artifact this process wrote or kept for a goal it watches. */
  keepsArtifact(path: string): boolean {
    return this.#witness.keeps(path);
  }

  /** Whether goal.json on disk holds an edit this process put back only in memory so far. */
  owesRecord(id: string): boolean {
    return this.#guarded.get(id)?.owed === true;
  }

  /**
   * The record as this process knows it: a field that differs counts only when another omk
   * command wrote it with its event; any other difference is recorded, and omk's value kept.
   */
  async #guard(id: string, record: GoalRecord): Promise<GoalRecord> {
    const guarded = this.#guarded.get(id);
    if (!guarded || guarded.guard.matches(record)) return record;
    const verdict = guarded.guard.judge(record, await this.#witness.outsiderLines(this.paths(id).events));
    const path = this.paths(id).goal;
    if (verdict.fixed || verdict.fields.length > 0) guarded.owed = true;
    if (verdict.fixed)
      guarded.found.push({ file: 'goal.json', path, what: `changed (${FIXED_PART})`, restored: true });
    if (verdict.fields.length > 0)
      guarded.found.push({
        file: 'goal.json',
        path,
        what: `changed (its ${verdict.fields.join(', ')})`,
        restored: true,
      });
    return verdict.record;
  }

  paths(id: string): GoalPaths {
    return goalPaths(this.deps.stateRoot, id);
  }

  /** Goal `id`'s events.jsonl, appended with this store's clock and host hooks. */
  eventLog(id: string): EventLog {
    return new EventLog(this.files, this.paths(id).events, this.deps.clock, this.deps.host);
  }

  /** Creates the goal directory; refuses an id that exists (ids are never reused). */
  async create(record: GoalRecord): Promise<GoalPaths> {
    const paths = this.paths(record.id);
    const { files } = this.deps;
    let created: boolean;
    try {
      await files.makeDirs(goalsDir(this.deps.stateRoot));
      created = await files.createDir(paths.dir);
      if (created) {
        noteCreated(paths.dir);
        // Who made it, for the state-root check of a run going on meanwhile (this process alive).
        const creator = { pid: this.deps.host.pid, host: this.deps.host.hostname };
        await writeJsonAtomic(files, `${paths.dir}/${CREATOR_FILE}`, creator);
      }
    } catch (error) {
      throw new StateError(`Cannot create the goal directory ${paths.dir}.`, {
        cause: error,
        hint: 'Check that the state root is writable, or set OMK_STATE_DIR to a writable directory.',
      });
    }
    if (!created) throw new StateError(`Goal ${record.id} already exists.`);
    await files.makeDirs(paths.gateArtifacts);
    await files.makeDirs(paths.agentRunArtifacts);
    await files.makeDirs(paths.reviewArtifacts);
    const parsed = goalRecordSchema.parse(record);
    await writeJsonAtomic(files, paths.goal, parsed);
    await this.#remember(paths.goal, parsed);
    return paths;
  }

  /**
   * Removes a goal whose creation stopped before it was planned (its planning agent could not run
   * here): nothing of it was written but the directory, the lock and the planner's transcript.
   */
  async discard(id: string): Promise<void> {
    await this.files.remove(this.paths(id).dir);
  }

  async read(id: string): Promise<GoalRecord> {
    const path = this.paths(id).goal;
    const identity = await this.files.identity(path);
    const known = this.#known.get(path);
    if (identity !== null && known?.identity === identity) return structuredClone(known.record);
    const record = await this.#guard(id, await readVersioned(this.files, goalRecordVersioned, path));
    if (identity !== null) this.#known.set(path, { identity, record: structuredClone(record) });
    return record;
  }

  /** Remembers what this store just wrote, so reading it back needs no open. */
  async #remember(path: string, record: GoalRecord): Promise<void> {
    const identity = await this.files.identity(path);
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
    const done = this.#guarded.get(next.id)?.guard.writing(written);
    try {
      await writeJsonAtomic(this.files, path, written);
    } catch (error) {
      done?.(false);
      throw error;
    }
    done?.(true);
    const guarded = this.#guarded.get(next.id);
    if (guarded) guarded.owed = false;
    await this.#remember(path, written);
    return written;
  }

  /**
   * Runs fn holding the goal's lock. A stale lock left by a dead process is broken and recorded as
   * a `lock_recovered` event, so the takeover is visible in replay.
   */
  async withGoalLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const recovered: string[] = [];
    const lock = this.paths(id).lock;
    return holdingHere(lock, () => this.#locked(id, lock, recovered, fn));
  }

  #locked<T>(id: string, lock: string, recovered: string[], fn: () => Promise<T>): Promise<T> {
    return this.files.withLock(
      lock,
      { host: this.deps.host, clock: this.deps.clock, onRecovered: (_previous, why) => recovered.push(why) },
      async () => {
        if (recovered.length > 0) {
          await this.eventLog(id).append(recovered.map((why) => ({ type: 'lock_recovered', data: { why } })));
          this.deps.reporter.warn(`recovered a stale lock on goal ${id}: ${recovered.join('; ')}`);
        }
        return fn();
      },
    );
  }

  /** Every readable goal, newest first. Unreadable ones are reported, not fatal. */
  async list(): Promise<GoalRecord[]> {
    let names: string[] | null;
    try {
      names = await this.files.list(goalsDir(this.deps.stateRoot));
    } catch (error) {
      throw new StateError(`Cannot read ${goalsDir(this.deps.stateRoot)}.`, { cause: error });
    }
    if (names === null) return [];
    const goals: GoalRecord[] = [];
    for (const name of names.sort()) {
      try {
        const aside = await this.#setAside(name);
        if (aside !== null) {
          this.deps.reporter.warn(`skipping ${name}: ${aside}`);
          continue;
        }
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
    return this.files.exists(this.paths(id).goal);
  }

  /** Why goal `id` was set aside (a run found it made by no omk process), or null. */
  async #setAside(id: string): Promise<string | null> {
    const text = await this.files.readText(`${this.paths(id).dir}/${UNTRUSTED_FILE}`);
    return text === null ? null : setAsideWhy(text);
  }

  /**
   * `latest`, an exact id, or a unique prefix of one; a goal set aside is never one of them. With
   * `scope` (the repository the command runs in), `latest` and a prefix name only its goals
   * (repo-scope.ts); a whole id names its goal wherever it is.
   */
  async resolve(ref: string | undefined, scope: RepoScope | null = null): Promise<string> {
    const wanted = checkGoalRef(ref ?? 'latest');
    // An exact id resolves without listing, so a damaged or newer goal.json reports its own error.
    if (wanted !== 'latest' && (await this.has(wanted))) {
      const aside = await this.#setAside(wanted);
      if (aside !== null) {
        throw new StateError(`Goal ${wanted} is set aside: ${aside}`, {
          hint: `omk does not show, resume or merge it. Look at ${this.paths(wanted).dir} before anything else; if you made it yourself, remove its ${UNTRUSTED_FILE}.`,
        });
      }
      return wanted;
    }
    const every = await this.list();
    if (every.length === 0) {
      throw new NotFoundError('There are no goals yet.', {
        hint: ['Start one with ', { step: 'run' }, '.'],
      });
    }
    const goals = goalsIn(every, scope);
    if (wanted === 'latest' && goals.length > 0) return (goals[0] as GoalRecord).id;
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
    if (scope !== null) throw noGoalHere(scope, wanted, every);
    throw new NotFoundError(`No goal '${wanted}'.`, { hint: ['List goals with ', { step: 'list' }, '.'] });
  }
}
