import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord, notReadyProof } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import { WORKFLOW_EDITED_GAP } from '../proof/build.js';
import type { WithheldNote } from './notes.js';

const withheld: WithheldNote = {
  code: 'withheld',
  status: 'paused',
  policy: 'draft-pr',
  opened: [],
  withheld: ['s1', 'integrator'],
};

// The goal's proof waits on a person's reading of a workflow change (its branches kept until
// accepted), and the awaited PRs' delivery a person stopped: what each came to, not how. The unit
// project shares its modules between files (isolate: false), so these are fresh ones, mocked here.
let merge: typeof import('./merge.js');
beforeAll(async () => {
  vi.resetModules();
  vi.doMock('./open-pr.js', () => ({
    openPullRequests: async () => ({ dryRun: false, result: null, withheld }),
  }));
  vi.doMock('../proof/assemble.js', async (importOriginal) => {
    const original = await importOriginal<typeof import('../proof/assemble.js')>();
    const gap = { code: WORKFLOW_EDITED_GAP, message: 'a workflow changed', hint: [] };
    return {
      ...original,
      readOrAssembleProof: async () => ({ ...notReadyProof(), status: 'ready', knownGaps: [gap] }),
    };
  });
  merge = await import('./merge.js');
});
afterAll(() => {
  vi.doUnmock('./open-pr.js');
  vi.doUnmock('../proof/assemble.js');
  vi.resetModules();
});

let root: string;
let store: GoalStore;
const goal = goalRecord();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-merge-'));
  store = localGoalStore(root);
  await store.create({ ...goal, status: 'accepted', options: { ...goal.options, mergePolicy: 'gated' } });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mergeIntegrator: a person stops the awaited PRs it opens first', () => {
  it('carries what the stop withheld and tries no merge', async () => {
    const app = testApp(store, { forge: () => Promise.reject(new Error('no merge after a stop')) });
    expect(await merge.mergeIntegrator(app, { goalId: goal.id })).toEqual({ result: null, withheld });
    expect(await merge.recheckMerge(app, goal.id)).toEqual({
      evaluated: false,
      why: 'withheld',
      detail: 'goal paused: nothing delivered; not opened: s1, integrator (policy draft-pr)',
      withheld,
    });
  });
});
