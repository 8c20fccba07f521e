import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { EventTail } from './tail.js';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-tail-'));
  path = join(dir, 'events.jsonl');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (seq: number, type = 'task_done') =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type, data: { taskId: 's1' } })}\n`;

describe('EventTail', () => {
  it('returns only what was appended since the last read, by byte offset', async () => {
    const tail = new EventTail(localStateFiles, path);
    expect(await tail.read()).toEqual({ events: [], restarted: false });
    await writeFile(path, line(1) + line(2));
    expect((await tail.read()).events.map((e) => e.seq)).toEqual([1, 2]);
    const offset = tail.position;
    expect(offset).toBe(Buffer.byteLength(line(1) + line(2)));
    expect((await tail.read()).events).toEqual([]);
    await appendFile(path, line(3));
    expect((await tail.read()).events.map((e) => e.seq)).toEqual([3]);
    expect(tail.position).toBe(offset + Buffer.byteLength(line(3)));
  });

  it('waits for a line still being written, and skips a line that is not an event', async () => {
    const tail = new EventTail(localStateFiles, path);
    const whole = line(1);
    await writeFile(path, whole.slice(0, 20));
    expect((await tail.read()).events).toEqual([]);
    expect(tail.position).toBe(0);
    await appendFile(path, `${whole.slice(20)}not json\n${line(2)}`);
    expect((await tail.read()).events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('starts again from the beginning when the file was replaced by a shorter one', async () => {
    const tail = new EventTail(localStateFiles, path);
    await writeFile(path, line(1) + line(2) + line(3));
    await tail.read();
    await writeFile(path, line(1, 'goal_created'));
    const again = await tail.read();
    expect(again.restarted).toBe(true);
    expect(again.events.map((e) => e.type)).toEqual(['goal_created']);
  });
});
