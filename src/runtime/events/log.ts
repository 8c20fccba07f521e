import { basename, dirname } from 'node:path';
import type { Clock, HostInfo } from '../ports.js';
import { appendSequenced, readJsonl, readLastJsonl } from '../state/jsonl.js';
import type { StateFiles } from '../state/port.js';
import { EVENT_VERSION, type EventInput, eventSchema, type GoalEvent, type SkippedLine } from './schema.js';

/**
 * eventSchema, with a hand-checked fast path for the well-formed case: replaying a 100k-event log
 * spends most of its time here. Anything unusual goes through zod, which stays the authority on
 * the rules and the error messages; log.test.ts checks that both paths agree.
 */
export function parseEvent(value: unknown): GoalEvent {
  if (typeof value === 'object' && value !== null) {
    const { v, seq, ts, type, data } = value as Record<string, unknown>;
    if (
      isPositiveInt(v) &&
      isPositiveInt(seq) &&
      typeof ts === 'string' &&
      typeof type === 'string' &&
      typeof data === 'object' &&
      data !== null &&
      !Array.isArray(data) &&
      Object.getPrototypeOf(data) === Object.prototype
    ) {
      return { v, seq, ts, type, data: data as Record<string, unknown> };
    }
  }
  return eventSchema.parse(value);
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** A goal's events.jsonl: the append-only history that proof and replay are rebuilt from. */
export class EventLog {
  constructor(
    private readonly files: StateFiles,
    readonly path: string,
    private readonly clock: Clock,
    private readonly host?: Pick<HostInfo, 'afterEvents' | 'eventsAppended'>,
  ) {}

  /**
   * Appends the inputs in one write, numbered after the last event. One timestamp per batch: the
   * events were decided together and land together. The caller holds the goal lock.
   */
  async append(inputs: readonly EventInput[]): Promise<GoalEvent[]> {
    if (inputs.length === 0) return [];
    const ts = this.clock.nowIso();
    const appended = await appendSequenced(
      this.files,
      this.path,
      parseEvent,
      inputs.map((input) => (seq: number) => ({
        v: EVENT_VERSION,
        seq,
        ts,
        type: input.type,
        data: input.data,
      })),
    );
    // The fault harness's kill point (test-only): the events are on disk, nothing after them is.
    const types = appended.map((event) => event.type);
    this.host?.afterEvents?.(types);
    // The log is <goals>/<goal-id>/events.jsonl (state/paths.ts): its directory names the goal.
    this.host?.eventsAppended?.(basename(dirname(this.path)), types);
    return appended;
  }

  async read(): Promise<{ events: GoalEvent[]; skipped: SkippedLine[] }> {
    const { records, skipped } = await readJsonl(this.files, this.path, parseEvent, EVENT_VERSION);
    return { events: records, skipped };
  }

  /** 0 for an empty or missing log; reads only the tail of the file. */
  async lastSeq(): Promise<number> {
    return (await readLastJsonl(this.files, this.path, parseEvent))?.seq ?? 0;
  }
}
