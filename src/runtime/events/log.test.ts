import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Clock } from '../ports.js';
import { EventLog, parseEvent } from './log.js';
import { EVENT_VERSION, eventSchema } from './schema.js';

function fixedClock(iso: string): Clock {
  return { nowIso: () => iso, nowMs: () => Date.parse(iso) };
}

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-'));
  path = join(dir, 'events.jsonl');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EventLog', () => {
  it('assigns seq, ts and version, and reads them back', async () => {
    const log = new EventLog(localStateFiles, path, fixedClock('2024-05-01T10:00:00.000Z'));
    expect(await log.lastSeq()).toBe(0);
    const first = await log.append([
      { type: 'goal_created', data: { text: 'fix it' } },
      { type: 'oracle_decided', data: { testable: true } },
    ]);
    expect(first).toEqual([
      {
        v: EVENT_VERSION,
        seq: 1,
        ts: '2024-05-01T10:00:00.000Z',
        type: 'goal_created',
        data: { text: 'fix it' },
      },
      {
        v: EVENT_VERSION,
        seq: 2,
        ts: '2024-05-01T10:00:00.000Z',
        type: 'oracle_decided',
        data: { testable: true },
      },
    ]);
    expect(await log.append([])).toEqual([]);
    const [third] = await log.append([{ type: 'goal_paused', data: {} }]);
    expect(third?.seq).toBe(3);
    expect(await log.lastSeq()).toBe(3);
    expect(await log.read()).toEqual({ events: [...first, third], skipped: [] });
  });

  it('continues numbering after a torn write and reports it', async () => {
    const log = new EventLog(localStateFiles, path, fixedClock('2024-05-01T10:00:00.000Z'));
    await log.append([{ type: 'goal_created', data: {} }]);
    await appendFile(path, '{"v":1,"seq":2,"ts":"2024');
    expect(await log.lastSeq()).toBe(1);
    await log.append([{ type: 'goal_paused', data: {} }]);
    const { events, skipped } = await log.read();
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'goal_created'],
      [2, 'goal_paused'],
    ]);
    expect(skipped).toEqual([{ line: 2, reason: 'not valid JSON', torn: false }]);
  });

  it('keeps events of unknown types from a newer omk of the same version', async () => {
    await appendFile(
      path,
      `${JSON.stringify({ v: 1, seq: 1, ts: 't', type: 'from_the_future', data: { x: 1 } })}\n`,
    );
    const { events } = await new EventLog(
      localStateFiles,
      path,
      fixedClock('2024-05-01T10:00:00.000Z'),
    ).read();
    expect(events[0]?.type).toBe('from_the_future');
  });

  it('refuses an event version newer than this omk', async () => {
    await appendFile(
      path,
      `${JSON.stringify({ v: EVENT_VERSION + 1, seq: 1, ts: 't', type: 'x', data: {} })}\n`,
    );
    const log = new EventLog(localStateFiles, path, fixedClock('2024-05-01T10:00:00.000Z'));
    await expect(log.read()).rejects.toBeInstanceOf(UnsupportedVersionError);
  });

  it('writes whole JSON lines', async () => {
    const log = new EventLog(localStateFiles, path, fixedClock('2024-05-01T10:00:00.000Z'));
    await log.append([{ type: 'goal_created', data: { text: 'two\nlines' } }]);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });
});

describe('parseEvent', () => {
  const good = { v: 1, seq: 2, ts: 't', type: 'x', data: { a: [1] }, extra: 'dropped' };
  const cases: unknown[] = [
    good,
    { ...good, v: 0 },
    { ...good, v: 1.5 },
    { ...good, seq: -1 },
    { ...good, seq: 2 ** 60 },
    { ...good, seq: '2' },
    { ...good, ts: 5 },
    { ...good, type: null },
    { ...good, data: [] },
    { ...good, data: null },
    { ...good, data: 'x' },
    { v: 1, seq: 1, ts: 't', type: 'x' },
    null,
    [],
    'event',
  ];

  it.each(cases.map((value) => [JSON.stringify(value), value]))(
    'agrees with eventSchema for %s',
    (_, value) => {
      const expected = eventSchema.safeParse(value);
      if (expected.success) {
        expect(parseEvent(value)).toEqual(expected.data);
      } else {
        expect(() => parseEvent(value)).toThrow();
      }
    },
  );
});
