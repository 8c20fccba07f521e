import { createWriteStream, type WriteStream } from 'node:fs';

/** What a process's log keeps by default: agent transcripts and gate logs (8 MiB). */
export const DEFAULT_LOG_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A log file that holds at most about `maxBytes` of one process's output: the first half is
 * written as it comes, the last half is kept in memory and written at the end, with one line
 * between them that says how much was cut and why. An agent that prints 30 MB leaves a log of
 * `maxBytes`, whose start and end are what a reader needs (the command, the error, the summary).
 */
export class BoundedLog {
  readonly #stream: WriteStream;
  readonly #headLimit: number;
  readonly #tailLimit: number;
  #written = 0;
  #total = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;

  constructor(
    path: string,
    readonly maxBytes: number = DEFAULT_LOG_MAX_BYTES,
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 2) {
      throw new RangeError(`log limit must be an integer of at least 2 bytes, got ${maxBytes}`);
    }
    this.#stream = createWriteStream(path, { flags: 'a' });
    this.#headLimit = Math.floor(maxBytes / 2);
    this.#tailLimit = maxBytes - this.#headLimit;
  }

  write(chunk: Buffer): void {
    this.#total += chunk.length;
    const room = this.#headLimit - this.#written;
    if (room > 0) {
      const head = chunk.subarray(0, room);
      this.#stream.write(head);
      this.#written += head.length;
      chunk = chunk.subarray(head.length);
    }
    if (chunk.length === 0) return;
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= this.#tailLimit) {
      this.#tailBytes -= this.#tail.shift()?.length ?? 0;
    }
  }

  /** Writes the kept tail (and the cut, if any) and closes the file. */
  end(done: () => void): void {
    let tail = Buffer.concat(this.#tail);
    if (tail.length > this.#tailLimit) tail = tail.subarray(tail.length - this.#tailLimit);
    const cut = this.#total - this.#written - tail.length;
    if (cut > 0) {
      this.#stream.write(
        `\n[omk: ${cut} bytes of output cut here; the process printed ${this.#total} bytes, over the ${this.maxBytes}-byte limit of this log, so its first and last ${this.#headLimit} bytes are kept]\n`,
      );
    }
    if (tail.length > 0) this.#stream.write(tail);
    this.#stream.end(done);
  }
}
