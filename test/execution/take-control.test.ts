import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { composeLocalController } from '../../src/adapters/local-controller.js';
import { processHost } from '../../src/cli/context.js';
import { executeGoal } from '../../src/runtime/controller/execute.js';
import { IllegalTransitionError } from '../../src/runtime/errors.js';
import { EventLog } from '../../src/runtime/events/log.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { createGoal } from '../../src/runtime/goal/create.js';
import type { GoalRecord } from '../../src/runtime/goal/schema.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { tempStateDir } from '../helpers/omk.js';

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  repo = await createTempRepo({ ...DEMO_FILES });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
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
    const deps = { stateRoot: state.dir, clock: systemClock, host: processHost, reporter: silentReporter };
    const plain = new GoalStore(deps);
    const request = parseRequest(createGoalRequestSchema, {
      goal: DEMO_GOAL,
      rawGoal: DEMO_GOAL,
      repo: repo.root,
      agent: 'demo',
    });
    const created = await createGoal(
      { store: plain, repo: gitRepo, planner: heuristicPlanner, randomHex: () => 'abc123' },
      request,
      'plan',
    );
    const store = new PausingStore(deps);
    const controller = await composeLocalController(
      { store, repo: gitRepo, reporter: silentReporter, env: process.env },
      created.goal,
      'demo',
    );
    await expect(executeGoal(controller, created.goal.id, { untilReady: true })).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    expect((await plain.read(created.goal.id)).status).toBe('paused');
    const { events } = await new EventLog(plain.paths(created.goal.id).events, systemClock).read();
    expect(events.map((e) => e.type)).not.toContain('execution_started');
    expect(events.map((e) => e.type)).not.toContain('task_leased');
  });

  it('an error after taking over leaves the goal interrupted and resumable, never running with no one running it', async () => {
    const deps = { stateRoot: state.dir, clock: systemClock, host: processHost, reporter: silentReporter };
    const store = new GoalStore(deps);
    const request = parseRequest(createGoalRequestSchema, {
      goal: DEMO_GOAL,
      rawGoal: DEMO_GOAL,
      repo: repo.root,
      agent: 'demo',
    });
    const created = await createGoal(
      { store, repo: gitRepo, planner: heuristicPlanner, randomHex: () => 'def456' },
      request,
      'plan',
    );
    const controller = await composeLocalController(
      { store, repo: gitRepo, reporter: silentReporter, env: process.env },
      created.goal,
      'demo',
    );
    const broken = {
      ...controller,
      workspaces: { ...controller.workspaces, create: () => Promise.reject(new Error('disk full')) },
    };
    await expect(executeGoal(broken, created.goal.id, { untilReady: true })).rejects.toThrow('disk full');
    const goal = await store.read(created.goal.id);
    expect(goal).toMatchObject({ status: 'interrupted', resumeTo: 'running', controller: null });
    const { events } = await new EventLog(store.paths(created.goal.id).events, systemClock).read();
    expect(events.at(-1)).toMatchObject({
      type: 'execution_interrupted',
      data: { by: 'error', error: 'disk full' },
    });
  });
});
