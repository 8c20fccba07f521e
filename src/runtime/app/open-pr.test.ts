import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { goalFiles, localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { IllegalTransitionError } from '../errors.js';
import type { GoalStatus } from '../goal/schema.js';
import { openPullRequests } from './open-pr.js';

describe('openPullRequests --dry-run on a goal a person ended', () => {
  it.each<GoalStatus>(['cancelled', 'rejected'])(
    'refuses a %s goal as the real run does, and writes nothing',
    async (status) => {
      const root = await mkdtemp(join(tmpdir(), 'omk-open-pr-'));
      try {
        const store = localGoalStore(root);
        const goal = { ...goalRecord(), status };
        await store.create(goal);
        const before = await goalFiles(root, goal.id);
        const app = testApp(store, { forge: () => Promise.reject(new Error('no forge for a dry run')) });
        const dry = openPullRequests(app, { goalId: goal.id, dryRun: true });
        await expect(dry).rejects.toThrow(IllegalTransitionError);
        await expect(dry).rejects.toThrow(`is ${status}: its work is not delivered`);
        expect(await goalFiles(root, goal.id)).toEqual(before);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});
