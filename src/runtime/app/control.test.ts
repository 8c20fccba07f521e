import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import { systemClock } from '../ports.js';
import { untilControlled } from './control.js';

const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-control-'));
  store = localGoalStore(root, { host });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('untilControlled', () => {
  it('waits while the goal is planned and returns once the run marked it running', async () => {
    const goal = goalRecord();
    await store.create({ ...goal, status: 'planned' });
    let polls = 0;
    const marked = new Promise<void>((resolve) => {
      setTimeout(() => {
        void store
          .read(goal.id)
          .then((planned) => store.write({ ...planned, status: 'running' }))
          .then(() => resolve());
      }, 30);
    });
    const took = await untilControlled(store, goal.id, {
      clock: systemClock,
      pollMs: 5,
      running: () => {
        polls += 1;
        return true;
      },
    });
    await marked;
    expect(took).toBe(true);
    expect(polls).toBeGreaterThan(2);
  });

  it('stops waiting when the run ended or the time is up, without control', async () => {
    const goal = goalRecord();
    await store.create({ ...goal, status: 'planned' });
    expect(await untilControlled(store, goal.id, { clock: systemClock, running: () => false })).toBe(false);
    const started = Date.now();
    const took = await untilControlled(store, goal.id, {
      clock: systemClock,
      running: () => true,
      timeoutMs: 40,
      pollMs: 5,
    });
    expect(took).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});
