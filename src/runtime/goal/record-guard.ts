import type { GoalRecord } from './schema.js';

// An unsandboxed agent can write its goal's goal.json. The controller keeps the whole record as it
// last wrote or accepted it, and a field that differs on disk counts only when the controller wrote
// it, or another omk command did with its event (a `pause`, `cancel`, `budget-add`, `accept` from
// another process appends the event, sealed, before it writes goal.json). Anything else is
// named, and omk's own value is what counts from then on: its next write of goal.json puts it back.

/** goal.json's fields that only the goal's creation and its controller write. */
const FIXED = ['version', 'id', 'createdAt', 'goal', 'oracle', 'repo', 'options'] as const;
/** The fields other omk commands also write while the goal runs, each with its event. */
const SHARED = ['status', 'resumeTo', 'controller', 'budget'] as const;
/** Written with every write of goal.json, whoever makes it. */
const STAMPS = ['revision', 'updatedAt'] as const;

type Shared = (typeof SHARED)[number];
type Stamp = (typeof STAMPS)[number];

/** The fixed part's finding wording, kept as the proofs and the tests of every front door say it. */
export const FIXED_PART = 'its goal, oracle, repository or options';

/** An event another omk process appended to the goal's log, with what it says goal.json became. */
interface OutsiderEvent {
  type: string;
  data: Record<string, unknown>;
}

/** What an outsider's event lets its command change in goal.json, and to what. */
function allows(event: OutsiderEvent, field: Shared, record: GoalRecord): boolean {
  const to = event.data.to;
  switch (event.type) {
    case 'goal_paused':
    case 'goal_resumed':
    case 'goal_cancelled':
      if (field === 'status') return record.status === to;
      if (field === 'resumeTo') return true;
      // A pause keeps the controller, but the one `resume --auto` writes for a dead controller.
      if (field === 'controller')
        return record.controller === null && (event.type !== 'goal_paused' || to === 'interrupted');
      return false;
    case 'goal_accepted':
    case 'goal_rejected':
      return field === 'status' ? record.status === to : field === 'resumeTo';
    case 'goal_merged':
      if (field === 'status') return record.status === 'merged';
      return field === 'resumeTo' || (field === 'controller' && record.controller === null);
    case 'budget_added':
      return field === 'budget' && same(record.budget, event.data.limits);
    default:
      return false;
  }
}

/** The event types whose commands write goal.json. */
const WRITERS: readonly string[] = [
  'goal_paused',
  'goal_resumed',
  'goal_cancelled',
  'goal_accepted',
  'goal_rejected',
  'goal_merged',
  'budget_added',
];

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parseEvent(line: string): OutsiderEvent | null {
  try {
    const value = JSON.parse(line) as { type?: unknown; data?: unknown };
    if (typeof value.type !== 'string' || !WRITERS.includes(value.type)) return null;
    const data = typeof value.data === 'object' && value.data !== null ? value.data : {};
    return { type: value.type, data: data as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** What a look at goal.json on disk found: the record that counts, and what differed unexplained. */
export interface GuardVerdict {
  record: GoalRecord;
  /** Whether the fixed part differed (put back whole). */
  fixed: boolean;
  /** The other fields that differed with no outsider's event for them (each put back). */
  fields: (Shared | Stamp)[];
}

/** goal.json of a goal this process controls, as it last wrote or accepted it. */
export class GoalRecordGuard {
  #known: GoalRecord;
  /** Outsiders' events not yet matched with a change of goal.json (the write follows its event). */
  readonly #pending: OutsiderEvent[] = [];
  /** Records this process is writing now. */
  readonly #writing: GoalRecord[] = [];

  constructor(record: GoalRecord) {
    this.#known = structuredClone(record);
  }

  /**
   * This process is about to write `record`: a look that comes before the write ends may find it
   * or the record before it. `done` says whether it was written (from then on, the record that counts).
   */
  writing(record: GoalRecord): (written: boolean) => void {
    const copy = structuredClone(record);
    this.#writing.push(copy);
    return (written) => {
      this.#writing.splice(this.#writing.indexOf(copy), 1);
      if (written) this.#known = structuredClone(copy);
    };
  }

  /** Whether `record` is what this process knows or is writing (nothing to judge). */
  matches(record: GoalRecord): boolean {
    return same(record, this.#known) || this.#writing.some((own) => same(record, own));
  }

  /**
   * Judges `disk` against what this process knows, with the lines other omk processes appended
   * (sealed) to the goal's events since the last look: each differing field is taken only when such
   * an event wrote it. What is taken and what is put back is what counts from now on.
   */
  judge(disk: GoalRecord, outsiderLines: readonly string[]): GuardVerdict {
    const arrived = outsiderLines.flatMap((line) => parseEvent(line) ?? []);
    this.#pending.push(...arrived);
    const known = this.#known;
    const fixed = FIXED.some((field) => !same(disk[field], known[field]));
    const record: GoalRecord = structuredClone(disk);
    if (fixed) for (const field of FIXED) Object.assign(record, { [field]: structuredClone(known[field]) });
    const fields: (Shared | Stamp)[] = [];
    const used = new Set<OutsiderEvent>();
    for (const field of SHARED) {
      if (same(disk[field], known[field])) continue;
      const event = this.#pending.find((candidate) => allows(candidate, field, disk));
      if (event) used.add(event);
      else {
        fields.push(field);
        Object.assign(record, { [field]: structuredClone(known[field]) });
      }
    }
    // Any omk write renews the stamps: with an outsider's write of goal.json they are its own.
    const stamped = used.size > 0 || arrived.length > 0;
    for (const field of STAMPS) {
      if (same(disk[field], known[field]) || stamped) continue;
      fields.push(field);
      Object.assign(record, { [field]: known[field] });
    }
    for (const event of used) this.#pending.splice(this.#pending.indexOf(event), 1);
    this.#known = structuredClone(record);
    return { record, fixed, fields };
  }
}
