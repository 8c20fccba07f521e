import { localExecutionHost } from '../../src/adapters/execution-host.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import {
  type AppDeps,
  composeController,
  type PreparedAgent,
  plainVocabulary,
  prepareAgent,
} from '../../src/runtime/app/index.js';
import type { ControllerDeps } from '../../src/runtime/controller/context.js';
import type { GoalRecord } from '../../src/runtime/goal/schema.js';
import type { GoalStore } from '../../src/runtime/goal/store.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { silentReporter } from '../../src/runtime/ports.js';

/** The use cases' dependencies as the CLI composes them, over `store`, with no forge and no sandbox (`off`). */
export function testApp(store: GoalStore, overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    store,
    repo: gitRepo,
    planner: heuristicPlanner,
    reporter: silentReporter,
    randomHex: () => 'abc123',
    // This composition has no sandbox port: agents run unconfined, as the user declares them trusted.
    env: { ...process.env, OMK_SANDBOX: 'off' },
    execution: localExecutionHost,
    words: plainVocabulary,
    forge: () => Promise.reject(new Error('this test delivers nothing')),
    ...overrides,
  };
}

/** The offline demo agent, prepared for a goal in `root`. */
export function demoAgent(app: AppDeps, root: string): Promise<PreparedAgent> {
  return prepareAgent(app, root, { name: 'demo' }, null);
}

/** A controller for `goal` with the demo agent, composed by the use-case layer. */
export async function demoController(store: GoalStore, goal: GoalRecord): Promise<ControllerDeps> {
  const app = testApp(store);
  return composeController(app, goal, await demoAgent(app, goal.repo.root));
}
