import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeJsonAtomic } from '../../adapters/state/atomic.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import type { HudSnapshot } from './hud.js';
import { followHud } from './hud-follow.js';

const NOW = Date.parse('2026-12-05T10:00:00.000Z');
const clock = { nowMs: () => NOW, nowIso: () => new Date(NOW).toISOString() };
const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-hud-follow-'));
  store = localGoalStore(root, { clock, host });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A running goal with an empty task graph, as a snapshot reads it. */
async function runningGoal(): Promise<string> {
  const goal = { ...goalRecord(), status: 'running' as const };
  await store.create(goal);
  const graph = {
    version: 1,
    goalId: goal.id,
    planner: { name: 'test', version: '1' },
    tasks: [],
    rejected: [],
  };
  await writeJsonAtomic(store.paths(goal.id).taskGraph, graph);
  return goal.id;
}

describe('followHud', () => {
  it('shows one snapshot when not live, even of an active goal', async () => {
    const id = await runningGoal();
    const shown: HudSnapshot[] = [];
    await followHud(store, { goalId: id }, { live: false, intervalMs: 100, show: (s) => shown.push(s) });
    expect(shown.map((s) => s.goals.map((g) => g.status))).toEqual([['running']]);
  });

  it('live, shows snapshots until no goal it shows is active', async () => {
    const id = await runningGoal();
    const statuses: string[] = [];
    await followHud(
      store,
      { goalId: id },
      {
        live: true,
        intervalMs: 100,
        show: (snapshot) => {
          const status = snapshot.goals[0]?.status ?? 'none';
          statuses.push(status);
          // The goal settles after the second snapshot was shown.
          if (statuses.length === 2)
            void store.read(id).then((record) => store.write({ ...record, status: 'ready' }));
        },
      },
    );
    expect(statuses.slice(0, 2)).toEqual(['running', 'running']);
    expect(statuses.at(-1)).toBe('ready');
  });
});
