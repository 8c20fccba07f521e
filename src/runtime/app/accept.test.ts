import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeDelivery } from '../delivery/state.js';
import { goalRecord, notReadyProof, onePrDelivery } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import type { WithheldNote } from './notes.js';
import type { OpenPrOutcome } from './open-pr.js';

/**
 * What openPullRequests came to (the delivery itself is open-pr's tests'): a person's stop part-way.
 * The unit project shares its modules between files (isolate: false), so these are fresh ones.
 */
const opened: { outcome: null | OpenPrOutcome } = { outcome: null };
let acceptGoal: typeof import('./accept.js').acceptGoal;
beforeAll(async () => {
  vi.resetModules();
  vi.doMock('./open-pr.js', () => ({
    openPullRequests: async () => {
      if (opened.outcome === null) throw new Error('this test sets what the delivery came to');
      return opened.outcome;
    },
  }));
  ({ acceptGoal } = await import('./accept.js'));
});
afterAll(() => {
  vi.doUnmock('./open-pr.js');
  vi.resetModules();
});

let root: string;
let store: GoalStore;
const goal = goalRecord();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-accept-'));
  store = localGoalStore(root);
  await store.create({ ...goal, options: { ...goal.options, mergePolicy: 'gated' } });
  // One PR of an earlier delivery: the acceptance delivers the goal's PRs again to show it.
  await writeDelivery(store.files, store.paths(goal.id).delivery, onePrDelivery(goal.id));
});
afterEach(async () => {
  opened.outcome = null;
  await rm(root, { recursive: true, force: true });
});

describe('acceptGoal: a person stops the delivery that shows the acceptance', () => {
  it('carries what the stop withheld, and no gated merge follows it', async () => {
    const withheld: WithheldNote = {
      code: 'withheld',
      status: 'cancelled',
      policy: 'draft-pr',
      opened: [7],
      withheld: ['integrator'],
    };
    const app = testApp(store, { forge: () => Promise.reject(new Error('no merge after a stop')) });
    const plan = {
      goalId: goal.id,
      policy: 'draft-pr' as const,
      base: 'main',
      pulls: [],
      skipped: [],
      kept: [],
    };
    const stopped = { status: 'cancelled' as const, withheld: ['integrator'] };
    opened.outcome = {
      dryRun: false,
      result: { plan, delivered: [], proof: notReadyProof(), stopped },
      withheld,
    };
    const outcome = await acceptGoal(app, { goalId: goal.id, summary: 'read it' });
    expect(outcome.result.goal.status).toBe('accepted');
    expect(outcome.withheld).toEqual(withheld);
    expect(outcome.merge).toEqual({
      evaluated: false,
      why: 'withheld',
      detail: 'goal cancelled: PR #7 stays open; not opened: integrator (policy draft-pr)',
      withheld,
    });
  });
});
