import type { StateFiles } from '../state/port.js';
import { parseEvent } from './log.js';
import type { GoalEvent } from './schema.js';

/** The most one read takes; a follower that fell far behind catches up over several reads. */
const READ_CHUNK = 256 * 1024;

/**
 * Follows a goal's events.jsonl by byte offset: each `read` returns only the whole lines appended
 * since the last one, so a watcher's cost per tick depends on what happened, not on the history.
 * A line still being written (no newline yet) waits for the next read; an unreadable line is
 * skipped as `EventLog.read` skips it. A file that shrank was replaced: it is read again from the
 * start and `restarted` says so.
 */
export class EventTail {
  private offset = 0;

  constructor(
    private readonly files: StateFiles,
    readonly path: string,
  ) {}

  /** The byte offset of the next unread line. */
  get position(): number {
    return this.offset;
  }

  async read(): Promise<{ events: GoalEvent[]; restarted: boolean }> {
    let range = await this.files.readRange(this.path, this.offset, READ_CHUNK);
    if (range === null) return { events: [], restarted: false };
    let restarted = false;
    if (range.size < this.offset) {
      this.offset = 0;
      restarted = true;
      range = await this.files.readRange(this.path, 0, READ_CHUNK);
      if (range === null) return { events: [], restarted };
    }
    // Up to the size seen now: what is appended meanwhile waits for the next read.
    const { size } = range;
    const events: GoalEvent[] = [];
    while (this.offset < size) {
      const buffer = range.bytes.subarray(0, size - this.offset);
      const end = buffer.length === 0 ? -1 : buffer.lastIndexOf(0x0a, buffer.length - 1);
      if (end < 0) {
        // No whole line in this chunk: a partial line (wait for it) or one longer than a chunk.
        if (buffer.length < READ_CHUNK) break;
        this.offset += buffer.length;
      } else {
        for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
          const event = parseLine(line);
          if (event !== null) events.push(event);
        }
        this.offset += end + 1;
      }
      if (this.offset >= size) break;
      const next = await this.files.readRange(this.path, this.offset, READ_CHUNK);
      if (next === null) break;
      range = next;
    }
    return { events, restarted };
  }
}

function parseLine(line: string): GoalEvent | null {
  if (line.trim() === '') return null;
  try {
    return parseEvent(JSON.parse(line));
  } catch {
    return null;
  }
}
