import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { goalFiles, localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalStatus } from '../goal/schema.js';
import { deliverByPolicy } from './deliver.js';

describe('deliverByPolicy: a goal stopped after its execution', () => {
  it.each<GoalStatus>(['cancelled', 'rejected', 'paused'])(
    'withholds the delivery of a %s goal, with an event that says so, and asks no forge',
    async (status) => {
      const root = await mkdtemp(join(tmpdir(), 'omk-withheld-'));
      try {
        const store = localGoalStore(root);
        const goal = { ...goalRecord(), status };
        await store.create(goal);
        const app = testApp(store, { forge: () => Promise.reject(new Error('no forge for a stopped goal')) });
        const after = await deliverByPolicy(app, goal.id, {});
        const data = { status, policy: 'draft-pr', opened: [], withheld: ['delivery'] };
        expect(after.notes).toEqual([{ code: 'withheld', ...data }]);
        expect(after.delivery).toBeNull();
        // The proof is rebuilt after it, so that goal status shows the withheld delivery.
        const { events } = await store.eventLog(goal.id).read();
        expect(events.find((event) => event.type === 'delivery_withheld')?.data).toEqual(data);
        expect(events.at(-1)?.type).toBe('proof_built');
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );

  it('with dryRun says the delivery would be withheld, and writes nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'omk-withheld-'));
    try {
      const store = localGoalStore(root);
      const goal = { ...goalRecord(), status: 'cancelled' as const };
      await store.create(goal);
      const before = await goalFiles(root, goal.id);
      const app = testApp(store, { forge: () => Promise.reject(new Error('no forge for a dry run')) });
      const after = await deliverByPolicy(app, goal.id, { dryRun: true });
      expect(after.notes).toEqual([
        { code: 'withheld', status: 'cancelled', policy: 'draft-pr', opened: [], withheld: ['delivery'] },
        { code: 'dry_run' },
      ]);
      expect(await goalFiles(root, goal.id)).toEqual(before);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('with dryRun reads a pause on the state branch and does not bring it into the local goal', async () => {
    const root = await mkdtemp(join(tmpdir(), 'omk-withheld-'));
    try {
      const store = localGoalStore(root);
      const goal = goalRecord();
      await store.create(goal);
      const before = await goalFiles(root, goal.id);
      const peek = async (_id: string, file: string) =>
        file === 'goal.json' ? JSON.stringify({ ...goal, status: 'paused', revision: 9 }) : null;
      const app = testApp(store, { shared: { remote: { peek }, pollMs: 1000 } });
      const after = await deliverByPolicy(app, goal.id, { dryRun: true });
      expect(after.notes).toEqual([
        { code: 'withheld', status: 'paused', policy: 'draft-pr', opened: [], withheld: ['delivery'] },
        { code: 'dry_run' },
      ]);
      expect(await goalFiles(root, goal.id)).toEqual(before);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
