import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeDelivery } from '../delivery/state.js';
import { goalRecord, onePrDelivery } from '../delivery/test-delivery.js';
import { applyLifecycle } from '../goal/actions.js';
import { goalStatus } from '../goal/queries.js';
import type { RemoteReader } from '../goal/remote-changes.js';
import type { GoalStatus } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { recordWithheld, stoppedSince } from './delivery-stop.js';
import { renderStatusText } from './goal-text.js';

let root: string;
let store: GoalStore;
const goal = goalRecord();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-delivery-stop-'));
  store = localGoalStore(root);
  await store.create(goal);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The state branch as a run reads it: the goal with `status`, as the bot wrote it there. */
function remoteWith(status: GoalStatus): RemoteReader {
  return {
    peek: async (_id, file) =>
      file === 'goal.json' ? JSON.stringify({ ...goal, status, revision: 9 }) : null,
  };
}

const status = async () => renderStatusText(await goalStatus(store, goal.id), (id) => `omk goal proof ${id}`);

describe('stoppedSince: the look before a delivery, each PR and the merge', () => {
  it('brings in a cancel written on the state branch and says it stops the delivery', async () => {
    const app = testApp(store, { shared: { remote: remoteWith('cancelled'), pollMs: 1000 } });
    expect(await stoppedSince(app, goal.id, 'not_ready')).toBe('cancelled');
    expect((await store.read(goal.id)).status).toBe('cancelled');
  });

  it('stops on a local pause since the delivery began, not on a pause it began with', async () => {
    await applyLifecycle(store, goal.id, 'pause');
    expect(await stoppedSince(testApp(store), goal.id, 'not_ready')).toBe('paused');
    expect(await stoppedSince(testApp(store), goal.id, 'paused')).toBeNull();
  });

  it('lets a goal nobody stopped go on', async () => {
    const app = testApp(store, { shared: { remote: remoteWith('not_ready'), pollMs: 1000 } });
    expect(await stoppedSince(app, goal.id, 'not_ready')).toBeNull();
  });
});

describe('recordWithheld: what a stopped delivery left, in its event and in goal status', () => {
  async function onePrOpened(): Promise<void> {
    await writeDelivery(store.files, store.paths(goal.id).delivery, onePrDelivery(goal.id));
  }

  it('a cancel part-way: the PR opened stays, the rest is named as withheld', async () => {
    await onePrOpened();
    await applyLifecycle(store, goal.id, 'cancel', 'wrong approach', 'octocat');
    const note = await recordWithheld(testApp(store), goal.id, 'cancelled', ['s2', 'integrator', 'merge']);
    const data = {
      status: 'cancelled',
      policy: 'draft-pr',
      opened: [7],
      withheld: ['s2', 'integrator', 'merge'],
    };
    expect(note).toEqual({ code: 'withheld', ...data });
    const { events } = await store.eventLog(goal.id).read();
    expect(events.find((event) => event.type === 'delivery_withheld')?.data).toEqual(data);
    expect(await status()).toMatch(
      /^ended {3}cancelled at \S+ by octocat \(wrong approach\): PR #7 stays open; not opened: s2, integrator; not merged \(policy draft-pr\)$/m,
    );
  });

  it('a pause part-way: goal status says what the paused delivery left', async () => {
    await onePrOpened();
    await applyLifecycle(store, goal.id, 'pause');
    await recordWithheld(testApp(store), goal.id, 'paused', ['integrator']);
    expect(await status()).toMatch(
      /^paused {2}during its delivery at \S+: PR #7 stays open; not opened: integrator \(policy draft-pr\)$/m,
    );
  });

  it('a stop before the delivery began: nothing delivered', async () => {
    await applyLifecycle(store, goal.id, 'cancel', 'not now');
    const note = await recordWithheld(testApp(store), goal.id, 'cancelled', ['delivery']);
    expect(note).toEqual({
      code: 'withheld',
      status: 'cancelled',
      policy: 'draft-pr',
      opened: [],
      withheld: ['delivery'],
    });
    expect(await status()).toMatch(
      /^ended {3}cancelled at \S+ \(not now\): nothing delivered \(policy draft-pr\)$/m,
    );
  });
});
