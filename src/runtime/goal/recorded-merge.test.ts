import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeJsonAtomic } from '../../adapters/state/atomic.js';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { goalRecord, task as taskFixture } from '../delivery/test-delivery.js';
import { EventLog } from '../events/log.js';
import { lastRecordedMerge, recordedMerge, settleRecordedMerge } from './recorded-merge.js';
import type { GoalStore } from './store.js';

const clock = { nowMs: () => 0, nowIso: () => '2026-01-01T00:00:00.000Z' };
const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-recorded-merge-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

let seq = 0;
const line = (type: string, data: Record<string, unknown> = {}) => {
  seq += 1;
  return `${JSON.stringify({ v: 1, seq, ts: clock.nowIso(), type, data })}\n`;
};
const merged = (pr: number, sha: string) => line('goal_merged', { pr, sha, target: 'main', method: 'merge' });
/** Enough events to push what came before them out of the first tail chunks (64 KiB, then 128 KiB). */
const filler = (count: number) =>
  Array.from({ length: count }, (_, i) => line('budget_spent', { note: `é ${'x'.repeat(200)} ${i}` })).join(
    '',
  );

/** The logs whose last merge the tail reader must find exactly as a full read does. */
const LOGS: Record<string, () => string> = {
  empty: () => '',
  'no merge': () => line('goal_created') + line('plan_written', { tasks: 1 }) + filler(50),
  'one merge at the end': () => line('goal_created') + merged(3, 'a'.repeat(40)),
  'two merges: the later wins': () =>
    merged(3, 'a'.repeat(40)) + line('pr_updated') + merged(4, 'b'.repeat(40)),
  'a merge far back, before 400 KiB of events': () =>
    line('goal_created') + merged(5, 'c'.repeat(40)) + filler(2000),
  'another event that only mentions goal_merged in its data': () =>
    merged(6, 'd'.repeat(40)) + line('merge_evaluated', { note: 'not a goal_merged "type":"goal_merged"' }),
  'a nested object typed goal_merged inside another event': () =>
    merged(7, 'e'.repeat(40)) + line('slice_event', { event: { type: 'goal_merged', data: { pr: 99 } } }),
  'a damaged goal_merged line and a torn one': () =>
    merged(8, 'f'.repeat(40)) +
    '{"v":1,"seq":"x","type":"goal_merged","data":{}}\n' +
    '{"v":1,"seq":99,"ts":"t","type":"goal_merged","data":{"pr":1',
  'a merge without a trailing newline': () => merged(9, '1'.repeat(40)).trimEnd(),
  'a merge with fields missing': () => line('goal_merged', { pr: 'ten' }),
};

describe('lastRecordedMerge: the tail of the log, the same answer as reading all of it', () => {
  for (const [name, log] of Object.entries(LOGS)) {
    it(name, async () => {
      const path = join(root, 'events.jsonl');
      await writeFile(path, log());
      const full = recordedMerge((await new EventLog(localStateFiles, path, clock).read()).events);
      expect(await lastRecordedMerge(localStateFiles, path)).toEqual(full);
    });
  }

  it('finds a merge whose line, or its type, straddles the first chunk boundary', async () => {
    const path = join(root, 'events.jsonl');
    const tail = 64 * 1024;
    const merge = merged(10, '2'.repeat(40));
    const typeAt = merge.indexOf('goal_merged');
    // The boundary falls this many bytes before the merge line's end: in its data, in its type, at its start.
    for (const into of [3, merge.length - typeAt - 4, merge.length - 1, merge.length]) {
      const head = line('goal_created');
      const padding = tail - into;
      const pad = (note: string) =>
        `${JSON.stringify({ v: 1, seq: 999_999, ts: clock.nowIso(), type: 'pr_updated', data: { note } })}\n`;
      const padded = pad('p'.repeat(padding - pad('').length));
      expect(padded.length).toBe(padding);
      await writeFile(path, head + merge + padded);
      expect(await lastRecordedMerge(localStateFiles, path)).toEqual({
        pr: 10,
        sha: '2'.repeat(40),
        target: 'main',
      });
    }
  });

  it('finds the merge far back, and none in a log that has none or is missing', async () => {
    const path = join(root, 'events.jsonl');
    await writeFile(path, LOGS['a merge far back, before 400 KiB of events']?.() ?? '');
    expect(await lastRecordedMerge(localStateFiles, path)).toEqual({
      pr: 5,
      sha: 'c'.repeat(40),
      target: 'main',
    });
    await writeFile(path, LOGS['no merge']?.() ?? '');
    expect(await lastRecordedMerge(localStateFiles, path)).toBeNull();
    expect(await lastRecordedMerge(localStateFiles, join(root, 'missing.jsonl'))).toBeNull();
  });
});

describe('settleRecordedMerge', () => {
  async function readyGoal(store: GoalStore, status: 'ready' | 'cancelled') {
    const goal = { ...goalRecord(), id: `fix-the-crash-${status}`, status };
    await store.create(goal);
    const paths = store.paths(goal.id);
    await writeJsonAtomic(paths.taskGraph, {
      version: 1,
      goalId: goal.id,
      planner: { name: 'test', version: '1' },
      tasks: [taskFixture({ status: 'done', attempts: 1 })],
      rejected: [],
    });
    return { goal, paths };
  }

  it('makes goal.json merged when its log records a merge it does not, and says so once', async () => {
    const store = localGoalStore(root, { clock, host });
    const { goal, paths } = await readyGoal(store, 'ready');
    await appendFile(
      paths.events,
      line('plan_written', { tasks: 1 }) + merged(3, 'a'.repeat(40)) + filler(400),
    );
    const first = await settleRecordedMerge(store, goal.id);
    expect(first).toMatchObject({ settled: true, merge: { pr: 3, sha: 'a'.repeat(40), target: 'main' } });
    expect(first.goal.status).toBe('merged');
    expect((await store.read(goal.id)).status).toBe('merged');
    const again = await settleRecordedMerge(store, goal.id);
    expect(again).toMatchObject({ settled: false, merge: null });
  });

  it('leaves a goal whose log records no merge, and a terminal goal, as they are', async () => {
    const store = localGoalStore(root, { clock, host });
    const { goal, paths } = await readyGoal(store, 'ready');
    await appendFile(paths.events, line('plan_written', { tasks: 1 }) + filler(400));
    expect(await settleRecordedMerge(store, goal.id)).toMatchObject({ settled: false, merge: null });
    expect((await store.read(goal.id)).status).toBe('ready');
    const cancelled = await readyGoal(store, 'cancelled');
    await appendFile(cancelled.paths.events, merged(4, 'b'.repeat(40)));
    expect(await settleRecordedMerge(store, cancelled.goal.id)).toMatchObject({
      settled: false,
      merge: null,
    });
    expect((await store.read(cancelled.goal.id)).status).toBe('cancelled');
  });
});
