import type { ControllerDeps } from '../controller/context.js';
import { detectGates } from '../gates/detect.js';
import { gateEnvironment } from '../gates/env.js';
import type { GoalRecord } from '../goal/schema.js';
import { createScrub, secretValues } from '../secrets/scrub.js';
import { scrubbedAgent, scrubbedVerify } from '../secrets/scrubbed-runs.js';
import { goalCacheDir, workspacesDir } from '../state/paths.js';
import { planPreparation } from '../workspace/plan.js';
import type { PreparedAgent } from './agent.js';
import type { AppDeps } from './deps.js';

/**
 * A controller for one goal on this host: the prepared agent, the gates detected in the repository
 * and configured, slice checkouts under the state root, gates with an allowlisted environment.
 */
export async function composeController(
  deps: AppDeps,
  goal: GoalRecord,
  prepared: PreparedAgent,
): Promise<ControllerDeps> {
  const root = goal.repo.root;
  const files = await deps.repo.listFiles(root);
  const { config } = prepared.config;
  const cacheDir = goalCacheDir(deps.store.deps.stateRoot, goal.id);
  const scrub = createScrub(secretValues(deps.env));
  return {
    store: deps.store,
    workspaces: deps.execution.workspaces({ forceFallback: goal.options.sliceExecution === 'branch' }),
    agent: scrubbedAgent(prepared.agent, scrub),
    verify: scrubbedVerify(deps.execution.verify, scrub),
    integrity: deps.execution.integrity,
    home: deps.env.HOME ?? null,
    gates: detectGates(root, files, config),
    gateEnv: gateEnvironment(deps.env),
    preparer: deps.execution.preparer,
    preparation: planPreparation({ repoRoot: root, files, config, cacheDir }),
    reporter: deps.reporter,
    steps: deps.words.steps,
    workspaceRoot: workspacesDir(deps.store.deps.stateRoot),
    ...(deps.publishBranch === undefined ? {} : { publishBranch: deps.publishBranch }),
  };
}
