import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateError } from '../../runtime/errors.js';
import type { FileRange, ScanStep } from '../../runtime/state/port.js';
import { syncDir } from './atomic.js';

// The byte-level half of the runtime's JSON-lines files (runtime/state/jsonl.ts says what a line
// means): one O_APPEND write per append, and reading a file from its end without reading it all.

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/** StateFiles.scanFromEnd on the local disk. */
export async function scanFromEnd<T>(
  path: string,
  visit: (buf: Buffer, atStart: boolean) => ScanStep<T>,
): Promise<T | null> {
  const handle = await openOrNull(path, 'r');
  if (handle === null) return null;
  try {
    let pos = (await handle.stat()).size;
    // Bytes of the line whose start lies before `pos` (not yet read).
    let pending: Buffer = Buffer.alloc(0);
    let chunkSize = TAIL_CHUNK;
    while (pos > 0) {
      const start = Math.max(0, pos - chunkSize);
      const chunk = Buffer.alloc(pos - start);
      await readFully(handle, chunk, start);
      const buf = pending.length === 0 ? chunk : Buffer.concat([chunk, pending]);
      pos = start;
      const step = visit(buf, pos === 0);
      if ('found' in step) return step.found;
      pending = buf.subarray(0, step.carry);
      chunkSize *= 2;
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** StateFiles.readRange on the local disk: one open, one stat, one read. */
export async function readRange(path: string, start: number, maxBytes: number): Promise<FileRange | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const from = start < 0 ? Math.max(0, size + start) : Math.min(start, size);
    const bytes = Buffer.alloc(Math.min(maxBytes, size - from));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, from);
    return { bytes: bytes.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/** StateFiles.appendLines on the local disk: one write(2), fsync, and the directory's fsync on creation. */
export async function appendLines(path: string, text: string): Promise<void> {
  // 'a+' (not 'a'): the torn-tail check has to read the last byte.
  const handle = await openOrThrow(path, 'a+');
  let created = false;
  try {
    const { size } = await handle.stat();
    created = size === 0;
    let data = Buffer.from(text, 'utf8');
    if (size > 0) {
      const lastByte = Buffer.alloc(1);
      await handle.read(lastByte, 0, 1, size - 1);
      if (lastByte[0] !== NEWLINE) data = Buffer.concat([Buffer.from('\n'), data]);
    }
    // One write(2) per append keeps concurrent O_APPEND writers from interleaving inside a line.
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await syncDir(dirname(path));
}

async function openOrNull(path: string, flags: string): Promise<FileHandle | null> {
  try {
    return await open(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateError(`Cannot open ${path}.`, { cause: error });
  }
}

async function openOrThrow(path: string, flags: string): Promise<FileHandle> {
  try {
    return await open(path, flags, 0o644);
  } catch (error) {
    throw new StateError(`Cannot open ${path} for appending.`, {
      cause: error,
      hint: 'Check that the goal directory exists and is writable.',
    });
  }
}

async function readFully(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesRead } = await handle.read(buf, offset, buf.length - offset, position + offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
}
