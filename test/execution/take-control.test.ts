import { afterEach, describe, expect, it } from 'vitest';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { executeGoal } from '../../src/runtime/controller/execute.js';
import { IllegalTransitionError } from '../../src/runtime/errors.js';
import { EventLog } from '../../src/runtime/events/log.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import type { GoalRecord } from '../../src/runtime/goal/schema.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { systemClock } from '../../src/runtime/ports.js';
import { demoController } from '../helpers/app.js';
import { type PlannedGoal, plannedDemoGoal } from '../helpers/planned-goal.js';

let planned: PlannedGoal<GoalStore> | null = null;
afterEach(async () => {
  await planned?.cleanup();
  planned = null;
});

/** A store whose first read returns the goal as it was, while someone pauses it right after. */
class PausingStore extends GoalStore {
  private reads = 0;
  override async read(id: string): Promise<GoalRecord> {
    const seen = await super.read(id);
    this.reads += 1;
    if (this.reads === 1) await applyLifecycle(new GoalStore(this.deps), id, 'pause');
    return seen;
  }
}

describe('taking control of a goal', () => {
  it('loses to a pause that lands between its first read and its takeover: nothing runs, nothing is recorded', async () => {
    planned = await plannedDemoGoal((deps) => new GoalStore(deps), { agent: 'demo' });
    const { store: plain, goal: created } = planned;
    const store = new PausingStore(plain.deps);
    const controller = await demoController(store, created);
    await expect(executeGoal(controller, created.id, { untilReady: true })).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    expect((await plain.read(created.id)).status).toBe('paused');
    const { events } = await new EventLog(
      localStateFiles,
      plain.paths(created.id).events,
      systemClock,
    ).read();
    expect(events.map((e) => e.type)).not.toContain('execution_started');
    expect(events.map((e) => e.type)).not.toContain('task_leased');
  });

  it('an error after taking over leaves the goal interrupted and resumable, never running with no one running it', async () => {
    planned = await plannedDemoGoal((deps) => new GoalStore(deps), { agent: 'demo', randomHex: 'def456' });
    const { store, goal: created } = planned;
    const controller = await demoController(store, created);
    const broken = {
      ...controller,
      workspaces: { ...controller.workspaces, create: () => Promise.reject(new Error('disk full')) },
    };
    await expect(executeGoal(broken, created.id, { untilReady: true })).rejects.toThrow('disk full');
    const goal = await store.read(created.id);
    expect(goal).toMatchObject({ status: 'interrupted', resumeTo: 'running', controller: null });
    const { events } = await new EventLog(
      localStateFiles,
      store.paths(created.id).events,
      systemClock,
    ).read();
    expect(events.at(-1)).toMatchObject({
      type: 'execution_interrupted',
      data: { by: 'error', error: 'disk full' },
    });
  });
});
