import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { silentReporter, systemClock } from '../ports.js';
import { GoalStore } from './store.js';

const host = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
const store = () =>
  new GoalStore({
    files: localStateFiles,
    stateRoot: root,
    clock: systemClock,
    host,
    reporter: silentReporter,
  });

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('GoalStore.read keeps the last record it saw, and never serves a stale one', () => {
  it('sees a write made by another store (another process) at once', async () => {
    const ours = store();
    const goal = goalRecord();
    await ours.create(goal);
    expect((await ours.read(goal.id)).status).toBe('not_ready');
    const theirs = store();
    await theirs.write({ ...(await theirs.read(goal.id)), status: 'paused' });
    const seen = await ours.read(goal.id);
    expect(seen.status).toBe('paused');
    expect(seen.revision).toBe(goal.revision + 1);
  });

  it('sees a file replaced by something that is not a store (a pull from the state branch)', async () => {
    const ours = store();
    const goal = goalRecord();
    const paths = await ours.create(goal);
    await ours.read(goal.id);
    await writeFile(paths.goal, `${JSON.stringify({ ...goal, status: 'cancelled' })}\n`);
    expect((await ours.read(goal.id)).status).toBe('cancelled');
  });

  it('hands out copies: a caller that changes what it read changes nothing for the next', async () => {
    const ours = store();
    const goal = goalRecord();
    await ours.create(goal);
    const first = await ours.read(goal.id);
    first.status = 'merged';
    first.options.policy = 'local';
    const again = await ours.read(goal.id);
    expect(again.status).toBe('not_ready');
    expect(again.options.policy).toBe('draft-pr');
  });

  it('refuses a write from a stale read even when the record came from memory', async () => {
    const ours = store();
    const goal = goalRecord();
    await ours.create(goal);
    const stale = await ours.read(goal.id);
    await store().write({ ...(await store().read(goal.id)), status: 'paused' });
    await expect(ours.write({ ...stale, status: 'running' })).rejects.toThrow(/changed while/);
  });
});

describe('GoalStore: an edit of a watched goal.json is owed back to disk', () => {
  it("owes omk's record from the read that put it back until the next write of goal.json", async () => {
    const ours = store();
    const beat = '2025-01-02T03:04:05.000Z';
    const goal = {
      ...goalRecord(),
      controller: { pid: process.pid, host: 'test', startedAt: beat, heartbeatAt: beat },
    };
    await ours.create(goal);
    await ours.watchGoal(goal.id);
    expect(ours.owesRecord(goal.id)).toBe(false);
    const path = ours.paths(goal.id).goal;
    const forged = { ...goal, controller: { ...goal.controller, pid: 999_999_999 } };
    // What an agent writes: the controller's record with a dead pid.
    await writeFile(path, `${JSON.stringify(forged, null, 2)}\n`);
    const read = await ours.read(goal.id);
    expect(read.controller?.pid).toBe(process.pid);
    expect(ours.owesRecord(goal.id)).toBe(true);
    await ours.write(read);
    expect(ours.owesRecord(goal.id)).toBe(false);
    expect((await store().read(goal.id)).controller?.pid).toBe(process.pid);
  });
});
