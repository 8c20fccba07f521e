import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
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
        expect(after.notes).toEqual([{ code: 'withheld', status, policy: 'draft-pr' }]);
        expect(after.delivery).toBeNull();
        const events = (await readFile(store.paths(goal.id).events, 'utf8')).trim().split('\n');
        expect(JSON.parse(events.at(-1) ?? '{}')).toMatchObject({
          type: 'delivery_withheld',
          data: { status, policy: 'draft-pr' },
        });
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});
