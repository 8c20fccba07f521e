import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { RemoteStateStore } from '../state/remote.js';
import {
  pullSharedGoal,
  pullSharedGoals,
  resolveSharedGoal,
  threadIdSuffix,
  workflowRunIdSuffix,
} from './shared-goal.js';

const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-shared-'));
  store = localGoalStore(root, { host });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A state branch holding `goals` (none: no branch); a pull writes them into the local store. */
function branch(goals: GoalRecord[] | null): RemoteStateStore & { pulls: (string | null)[] } {
  const pulls: (string | null)[] = [];
  return {
    pulls,
    async pull(goalId) {
      pulls.push(goalId);
      if (goals === null) return null;
      for (const goal of goals) {
        if ((goalId === null || goal.id === goalId) && !(await store.has(goal.id))) {
          await store.create(goal);
          // A pushed goal has its opening events (checkSharedGoal refuses one without).
          await store.eventLog(goal.id).append([{ type: 'goal_created', data: {} }]);
        }
      }
      const pulled = goals.filter((goal) => goalId === null || goal.id === goalId).map((goal) => goal.id);
      return { commit: 'a'.repeat(40), goals: pulled };
    },
    push: () => Promise.reject(new Error('not pushed in these tests')),
    peek: () => Promise.resolve(null),
    read: () => Promise.resolve(null),
  };
}

describe('pullSharedGoal', () => {
  it('brings a goal from the state branch and points it at this checkout', async () => {
    const goal = goalRecord();
    const pulled = await pullSharedGoal(store, branch([goal]), goal.id, { repoRoot: '/here' });
    expect(pulled).toMatchObject({ found: true, commit: 'a'.repeat(40) });
    expect(pulled.found && pulled.goal.repo.root).toBe('/here');
    expect((await store.read(goal.id)).repo.root).toBe('/here');
  });

  it('says whether the branch or the goal is missing', async () => {
    const goal = goalRecord();
    expect(await pullSharedGoal(store, branch(null), goal.id)).toEqual({ found: false, missing: 'branch' });
    expect(await pullSharedGoal(store, branch([]), goal.id)).toEqual({ found: false, missing: 'goal' });
  });
});

describe('pullSharedGoals', () => {
  it('pulls a whole id alone, and every goal for a prefix or latest', async () => {
    const goal = goalRecord();
    const whole = branch([goal]);
    expect(await pullSharedGoals(store, whole, goal.id)).toEqual({
      commit: 'a'.repeat(40),
      goals: [goal.id],
    });
    expect(whole.pulls).toEqual([goal.id]);
    const prefix = branch([goal]);
    await pullSharedGoals(store, prefix, goal.id.slice(0, 8));
    expect(prefix.pulls).toEqual([goal.id.slice(0, 8), null]);
    expect(await pullSharedGoals(store, branch(null), null)).toBeNull();
  });
});

describe('resolveSharedGoal', () => {
  it('pulls every goal for latest, checks any other reference, and refuses a missing branch by name', async () => {
    const goal = goalRecord();
    const latest = branch([goal]);
    expect(await resolveSharedGoal(store, latest, undefined, 'omk-state', null)).toBe(goal.id);
    expect(latest.pulls).toEqual([null]);
    expect(await store.has(goal.id)).toBe(true);
    const hostile = branch([goal]);
    await expect(resolveSharedGoal(store, hostile, '../etc', 'omk-state', null)).rejects.toThrow(
      "'../etc' is not a goal id.",
    );
    expect(hostile.pulls).toEqual([]);
    await expect(resolveSharedGoal(store, branch(null), goal.id, 'omk-state', null)).rejects.toMatchObject({
      code: 'not_found',
      message: 'The remote has no omk-state branch yet.',
    });
  });

  it('refuses a goal from the branch whose events are not as omk writes them, naming the file', async () => {
    const goal = goalRecord();
    const latest = branch([goal]);
    await latest.pull(goal.id);
    await writeFile(store.paths(goal.id).events, 'not json\n');
    await expect(resolveSharedGoal(store, latest, goal.id, 'omk-state', null)).rejects.toThrow(
      `Goal ${goal.id} on the state branch (commit aaaaaaaaaaaa) is not as omk writes it: goals/${goal.id}/events.jsonl holds no event.`,
    );
  });

  it("resolves latest and prefixes among the branch's goals and this repository's, not another repository's", async () => {
    const at = (id: string, root: string, createdAt: string): GoalRecord => ({
      ...goalRecord(),
      id,
      createdAt,
      repo: { ...goalRecord().repo, root },
    });
    // Made by CI in its own checkout of repository A; then here, a goal of repository B.
    const ci = at('fix-ci-aaaaaa', '/runner/work/a', '2026-01-01T00:00:00.000Z');
    await store.create(at('fix-local-bbbbbb', '/repos/b', '2026-02-01T00:00:00.000Z'));
    const inA = { root: '/repos/a', holds: (goalRoot: string) => goalRoot === '/repos/a' };
    expect(await resolveSharedGoal(store, branch([ci]), undefined, 'omk-state', inA)).toBe(ci.id);
    expect(await resolveSharedGoal(store, branch([ci]), 'fix-', 'omk-state', inA)).toBe(ci.id);
    // This repository's own newer goal counts as well.
    await store.create(at('fix-mine-cccccc', '/repos/a', '2026-03-01T00:00:00.000Z'));
    expect(await resolveSharedGoal(store, branch([ci]), 'latest', 'omk-state', inA)).toBe('fix-mine-cccccc');
    // Outside any repository every goal counts.
    await store.create(at('fix-last-dddddd', '/repos/b', '2026-04-01T00:00:00.000Z'));
    expect(await resolveSharedGoal(store, branch([ci]), undefined, 'omk-state', null)).toBe(
      'fix-last-dddddd',
    );
  });
});

describe('threadIdSuffix', () => {
  it('derives the same 12 hex digits from the same comment, others from another', () => {
    const first = threadIdSuffix('acme/widgets#101');
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(threadIdSuffix('acme/widgets#101')).toBe(first);
    expect(threadIdSuffix('acme/widgets#102')).not.toBe(first);
  });
});

describe('workflowRunIdSuffix', () => {
  const key = { repo: 'acme/widgets', runId: '7001', job: 'omk' };
  it('derives the same suffix for a rerun of the same job, another for another run, job or goal', () => {
    const first = workflowRunIdSuffix(key, 'fix the test');
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(workflowRunIdSuffix({ ...key }, 'fix the test')).toBe(first);
    const others = [
      workflowRunIdSuffix({ ...key, runId: '7002' }, 'fix the test'),
      workflowRunIdSuffix({ ...key, job: 'other' }, 'fix the test'),
      workflowRunIdSuffix({ ...key, repo: 'acme/gadgets' }, 'fix the test'),
      workflowRunIdSuffix(key, 'fix the other test'),
    ];
    expect(new Set([first, ...others]).size).toBe(5);
  });

  it('derives one suffix per goal key (matrix cells), and the keyless suffix is unchanged', () => {
    const keyless = workflowRunIdSuffix(key, 'fix the test');
    // Pinned: goals saved before goal keys existed keep their ids on a rerun.
    expect(keyless).toBe(threadIdSuffix('acme/widgets:7001:omk:fix the test'));
    const cells = ['0', '1', 'node-20', ''].map((goalKey) =>
      workflowRunIdSuffix({ ...key, goalKey }, 'fix the test'),
    );
    expect(new Set([keyless, ...cells]).size).toBe(5);
    expect(workflowRunIdSuffix({ ...key, goalKey: '1' }, 'fix the test')).toBe(cells[1]);
    // A key cannot be confused with a job name or goal text that contains the separator.
    expect(workflowRunIdSuffix({ ...key, goalKey: 'a' }, 'b:c')).not.toBe(
      workflowRunIdSuffix({ ...key, goalKey: 'a:b' }, 'c'),
    );
  });
});
