import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { fetchGoalBranches } from '../../src/adapters/git/goal-branches.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { runGit } from '../../src/adapters/git/run-git.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { composeLocalController } from '../../src/adapters/local-controller.js';
import { processHost } from '../../src/cli/context.js';
import { executeGoal } from '../../src/runtime/controller/execute.js';
import { executeSlice, foldSliceResults } from '../../src/runtime/controller/execute-slice.js';
import { relocateGoal } from '../../src/runtime/goal/actions.js';
import { createGoal } from '../../src/runtime/goal/create.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';

const run = promisify(execFile);
let repo: TempRepo;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo({ ...DEMO_FILES });
  base = await mkdtemp(join(tmpdir(), 'omk-fanout-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(base, { recursive: true, force: true });
});

/** A runner: its own clone of origin, its own state root, sharing only origin and its state branch. */
async function runner(name: string) {
  const root = join(base, name);
  await run('git', ['clone', '--quiet', repo.origin, root]);
  const stateRoot = join(base, `${name}-state`);
  const store = new GoalStore({ stateRoot, clock: systemClock, host: processHost, reporter: silentReporter });
  const state = createGitStateBranch({ repoRoot: root, stateRoot });
  return { root, store, state };
}

async function fanOutDeps(r: Awaited<ReturnType<typeof runner>>, goalId: string) {
  const goal = await relocateGoal(r.store, goalId, r.root);
  const deps = await composeLocalController(
    { store: r.store, repo: gitRepo, reporter: silentReporter, env: process.env },
    goal,
    'demo',
  );
  return {
    ...deps,
    fetchBranches: () => fetchGoalBranches(r.root, goalId),
    publishBranch: async (branch: string, sha: string) => {
      await runGit(['push', '--quiet', 'origin', `${sha}:refs/heads/${branch}`], { cwd: r.root });
    },
  };
}

describe('fan-out: plan, one runner per slice, integrate — sharing only the state branch', () => {
  it('reaches a ready proof with every slice run exactly once, on its own runner', async () => {
    const planner = await runner('plan');
    const request = parseRequest(createGoalRequestSchema, {
      goal: DEMO_GOAL,
      rawGoal: DEMO_GOAL,
      repo: planner.root,
      agent: 'demo',
    });
    const created = await createGoal(
      {
        store: planner.store,
        repo: gitRepo,
        planner: (await import('../../src/runtime/plan/heuristic.js')).heuristicPlanner,
        randomHex: () => 'abc123',
      },
      request,
      'plan',
    );
    const goalId = created.goal.id;
    const [first, second] = created.graph.tasks;
    expect(second?.dependsOn).toEqual([first?.id]);
    await planner.state.push(goalId, 'plan');

    // Wave 1 and wave 2, each on a fresh runner; each pushes only its own slice result.
    for (const [name, slice] of [
      ['runner-a', first?.id ?? ''],
      ['runner-b', second?.id ?? ''],
    ] as const) {
      const r = await runner(name);
      await r.state.pull(goalId);
      const outcome = await executeSlice(await fanOutDeps(r, goalId), goalId, slice, { untilReady: true });
      expect(outcome.outcome).toBe('done');
      await r.state.push(goalId, `slice ${slice}`, { only: [`slices/${slice}.json`] });
    }

    // A slice that is not in the plan is refused with the plan's slice ids.
    const stray = await runner('stray');
    await stray.state.pull(goalId);
    await expect(
      executeSlice(await fanOutDeps(stray, goalId), goalId, 's9-nope', { untilReady: true }),
    ).rejects.toThrow(/not in the plan/);

    const integrator = await runner('integrate');
    await integrator.state.pull(goalId);
    const deps = await fanOutDeps(integrator, goalId);
    await deps.fetchBranches();
    expect(await foldSliceResults(deps, goalId)).toBe(2);
    expect(await foldSliceResults(deps, goalId)).toBe(0);
    const result = await executeGoal(deps, goalId, { untilReady: false, dispatch: false });
    expect(result.proof.status).toBe('ready');
    expect(result.proof.slices.map((s) => [s.id, s.status, s.attempts])).toEqual([
      [first?.id, 'done', 1],
      [second?.id, 'done', 1],
    ]);
    expect(result.proof.agentRuns.map((r) => r.taskId)).toEqual([first?.id, second?.id]);
    await integrator.state.push(goalId, 'integrate');

    // Anyone can read the settled goal back from the state branch.
    const reader = await runner('reader');
    await reader.state.pull(goalId);
    expect((await reader.store.read(goalId)).status).toBe('ready');
  });
});
