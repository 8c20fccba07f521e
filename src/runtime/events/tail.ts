import { open } from 'node:fs/promises';
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

  constructor(readonly path: string) {}

  /** The byte offset of the next unread line. */
  get position(): number {
    return this.offset;
  }

  async read(): Promise<{ events: GoalEvent[]; restarted: boolean }> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], restarted: false };
      throw error;
    }
    try {
      const { size } = await handle.stat();
      let restarted = false;
      if (size < this.offset) {
        this.offset = 0;
        restarted = true;
      }
      const events: GoalEvent[] = [];
      while (this.offset < size) {
        const length = Math.min(READ_CHUNK, size - this.offset);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
        const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
        if (end < 0) {
          // No whole line in this chunk: a partial line (wait for it) or one longer than a chunk.
          if (bytesRead < READ_CHUNK) break;
          this.offset += bytesRead;
          continue;
        }
        for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
          const event = parseLine(line);
          if (event !== null) events.push(event);
        }
        this.offset += end + 1;
      }
      return { events, restarted };
    } finally {
      await handle.close();
    }
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
