import type { StateFiles } from '../state/port.js';

/**
 * The whole lines a log gained after its first `size` bytes (what a check took before a run), read
 * from there only: '' when it gained nothing; null when it is gone or shorter than `size` (it was
 * rewritten, not appended to). A line still being written is left out.
 */
export async function appendedSince(files: StateFiles, path: string, size: number): Promise<string | null> {
  const range = await files.readRange(path, size, Number.MAX_SAFE_INTEGER);
  if (range === null) return size === 0 ? '' : null;
  if (range.size < size) return null;
  const text = range.bytes.toString('utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

/**
 * The `type` of each line of `text` (whole JSON lines, as `appendedSince` returns them); null when
 * a line is not an event.
 */
export function eventTypes(text: string): string[] | null {
  const types: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as { type?: unknown };
      if (typeof value?.type !== 'string') return null;
      types.push(value.type);
    } catch {
      return null;
    }
  }
  return types;
}

/** The size a state tree's entry records (`kind:dev:ino:size:mtime:ctime`); 0 for none or a directory. */
export function sizeOf(entry: string | undefined): number {
  const size = Number(entry?.split(':')[3]);
  return Number.isFinite(size) ? size : 0;
}
