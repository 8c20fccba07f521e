import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { RequestError } from '../errors.js';
import { applyLifecycle } from '../goal/actions.js';
import type { GoalRecord } from '../goal/schema.js';
import type { ExitVerdict } from './exit-verdict.js';
import { lifecycleText, resumeOrphansHere } from './lifecycle.js';

describe('lifecycleText', () => {
  it('takes the summary of an accept and the reason of a reject or a cancel', () => {
    expect(lifecycleText('accept', { summary: 'tests green' })).toBe('tests green');
    expect(lifecycleText('reject', { reason: 'wrong API' })).toBe('wrong API');
    expect(lifecycleText('cancel', { reason: 'not needed' })).toBe('not needed');
    expect(lifecycleText('cancel', {})).toBe('');
    expect(lifecycleText('pause', { reason: 'ignored' })).toBe('');
  });

  it('refuses an accept without a summary and a reject without a reason, naming the field', () => {
    for (const [action, field] of [
      ['accept', 'summary'],
      ['reject', 'reason'],
    ] as const) {
      try {
        lifecycleText(action, {});
        expect.unreachable(`${action} without ${field} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(RequestError);
        expect((error as RequestError).issues).toEqual([expect.objectContaining({ code: 'empty', field })]);
      }
    }
  });
});

describe('resumeOrphansHere: resume --auto', () => {
  /** A host on which every controller but this process is dead. */
  const host = {
    pid: process.pid,
    hostname: 'test',
    isAlive: (pid: number) => pid === process.pid,
    killGroup: () => false,
  };
  // A fresh heartbeat: the controller is dead because its process is gone on this host.
  const controller = () => {
    const now = new Date().toISOString();
    return { pid: 999_999, host: 'test', startedAt: now, heartbeatAt: now };
  };
  const goal = (id: string, fields: Partial<GoalRecord>): GoalRecord => ({ ...goalRecord(), id, ...fields });

  async function withGoals<T>(goals: GoalRecord[], body: (root: string) => Promise<T>): Promise<T> {
    const root = await mkdtemp(join(tmpdir(), 'omk-orphans-'));
    try {
      const store = localGoalStore(root, { host });
      for (const record of goals) await store.create(record);
      return await body(root);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  it('runs each resumed goal that continues, in the order goal list shows them, and keeps the last verdict a run had', async () => {
    const goals = [
      goal('dead-one-aaaaaa', { status: 'running', controller: controller() }),
      goal('dead-two-bbbbbb', { status: 'running', controller: controller() }),
      goal('settled-cccccc', { status: 'ready' }),
    ];
    await withGoals(goals, async (root) => {
      const ran: string[] = [];
      const verdicts: Record<string, ExitVerdict | undefined> = {
        'dead-two-bbbbbb': 'interrupted',
        'dead-one-aaaaaa': undefined,
      };
      const resumed = await resumeOrphansHere(localGoalStore(root, { host }), null, async (goalId) => {
        ran.push(goalId);
        return verdicts[goalId];
      });
      expect(ran).toEqual(['dead-two-bbbbbb', 'dead-one-aaaaaa']);
      expect(
        resumed.results.map((result) => [result.goal.id, result.previous, result.goal.status]).sort(),
      ).toEqual([
        ['dead-one-aaaaaa', 'interrupted', 'running'],
        ['dead-two-bbbbbb', 'interrupted', 'running'],
      ]);
      // The run that settled after the interrupted one does not hide it.
      expect(resumed.verdict).toBe('interrupted');
    });
  });

  it('takes over no goal another live omk holds, whatever its goal.json says; resume <id> refuses it naming that omk', async () => {
    // What an agent of a running goal can write: a dead pid as its controller, or no controller
    // and an interrupted status. The omk process 4242 holds both goals' directories.
    const goals = [
      goal('forged-pid-eeeeee', { status: 'running', controller: controller() }),
      goal('forged-stop-ffffff', { status: 'interrupted', resumeTo: 'running', controller: null }),
    ];
    await withGoals(goals, async (root) => {
      const holding = { ...host, otherOmkHolding: () => 4242 };
      const store = localGoalStore(root, { host: holding });
      const ran: string[] = [];
      const resumed = await resumeOrphansHere(store, null, async (goalId) => {
        ran.push(goalId);
        return undefined;
      });
      expect(resumed.results).toEqual([]);
      expect(ran).toEqual([]);
      await expect(applyLifecycle(store, 'forged-stop-ffffff', 'resume')).rejects.toThrow(
        'Goal forged-stop-ffffff is being run by omk process 4242; it was not resumed.',
      );
      expect((await store.read('forged-stop-ffffff')).status).toBe('interrupted');
      // Once nobody holds them, both are orphans.
      const free = localGoalStore(root, { host: { ...host, otherOmkHolding: () => null } });
      expect((await resumeOrphansHere(free, null, async () => undefined)).results).toHaveLength(2);
    });
  });

  it('resumes an interrupted goal with nothing left to run without running it, and finds none twice', async () => {
    await withGoals(
      [goal('stopped-dddddd', { status: 'interrupted', resumeTo: 'not_ready' })],
      async (root) => {
        const store = localGoalStore(root, { host });
        const ran: string[] = [];
        const execute = async (goalId: string) => {
          ran.push(goalId);
          return 'budget' as const;
        };
        const first = await resumeOrphansHere(store, null, execute);
        expect(first.results.map((result) => result.goal.status)).toEqual(['not_ready']);
        expect(ran).toEqual([]);
        expect(first.verdict).toBeUndefined();
        expect(await resumeOrphansHere(store, null, execute)).toEqual({
          results: [],
          verdict: undefined,
          leftOut: 0,
        });
      },
    );
  });
  it("resumes only the goals of the repository it runs in, counting the others' it left alone", async () => {
    const here = (id: string, root: string) =>
      goal(id, { status: 'running', controller: controller(), repo: { ...goalRecord().repo, root } });
    await withGoals([here('mine-aaaaaa', '/repos/a'), here('theirs-bbbbbb', '/repos/b')], async (root) => {
      const store = localGoalStore(root, { host });
      const scope = { root: '/repos/a', holds: (goalRoot: string) => goalRoot === '/repos/a' };
      const ran: string[] = [];
      const resumed = await resumeOrphansHere(store, scope, async (goalId) => {
        ran.push(goalId);
        return undefined;
      });
      expect(ran).toEqual(['mine-aaaaaa']);
      expect(resumed.leftOut).toBe(1);
      expect((await store.read('theirs-bbbbbb')).status).toBe('running');
      // Every repository's with no scope (its own again: the fake run left it running, controller gone).
      const every = await resumeOrphansHere(store, null, async () => undefined);
      expect(every.results.map((result) => result.goal.id).sort()).toEqual(['mine-aaaaaa', 'theirs-bbbbbb']);
      expect(every.leftOut).toBe(0);
    });
  });
});
