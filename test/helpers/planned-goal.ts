import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { processHost } from '../../src/adapters/process/host.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { createGoal } from '../../src/runtime/goal/create.js';
import type { GoalRecord } from '../../src/runtime/goal/schema.js';
import type { GoalStore, StoreDeps } from '../../src/runtime/goal/store.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { createTempRepo, type TempRepo } from './git-repo.js';
import { tempStateDir } from './omk.js';

export interface PlannedGoal<S extends GoalStore> {
  repo: TempRepo;
  store: S;
  goal: GoalRecord;
  cleanup(): Promise<void>;
}

/**
 * The demo goal, planned (not executed) in a temp copy of the demo fixture with its own state
 * root, through `makeStore` (a GoalStore, or a subclass a test instruments).
 */
export async function plannedDemoGoal<S extends GoalStore>(
  makeStore: (deps: StoreDeps) => S,
  options: { agent?: string; randomHex?: string } = {},
): Promise<PlannedGoal<S>> {
  const repo = await createTempRepo({ ...DEMO_FILES });
  const state = await tempStateDir();
  const store = makeStore({
    stateRoot: state.dir,
    clock: systemClock,
    host: processHost(),
    reporter: silentReporter,
    files: localStateFiles,
  });
  const request = parseRequest(createGoalRequestSchema, {
    goal: DEMO_GOAL,
    rawGoal: DEMO_GOAL,
    repo: repo.root,
  });
  const { goal } = await createGoal(
    { store, repo: gitRepo, planner: heuristicPlanner, randomHex: () => options.randomHex ?? 'abc123' },
    request,
    'plan',
  );
  return {
    repo,
    store,
    goal,
    cleanup: async () => {
      await repo.cleanup();
      await state.cleanup();
    },
  };
}
