import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { fetchGoalBranches } from '../../src/adapters/git/goal-branches.js';
import { runGit } from '../../src/adapters/git/run-git.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import {
  executeOneSlice,
  type FanOutHost,
  integrateSlices,
  prepareAgent,
  relocateGoal,
  startGoal,
} from '../../src/runtime/app/index.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { demoAgent, testApp } from '../helpers/app.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';

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
  const store = localGoalStore(stateRoot);
  const state = createGitStateBranch({ repoRoot: root, stateRoot });
  return { root, store, state };
}

/** What a matrix runner shares: slice branches through origin, the goal through the state branch. */
function fanOutHost(r: Awaited<ReturnType<typeof runner>>): FanOutHost {
  return {
    remote: r.state,
    pollMs: 60_000,
    fetchBranches: (goalId) => fetchGoalBranches(r.root, goalId),
    publishBranch: async (branch, sha) => {
      await runGit(['push', '--quiet', 'origin', `${sha}:refs/heads/${branch}`], { cwd: r.root });
    },
  };
}

/** A runner's use cases over its own store, with the goal pointed at its checkout. */
async function onRunner(r: Awaited<ReturnType<typeof runner>>, goalId: string) {
  await relocateGoal(r.store, goalId, r.root);
  // A runner that cannot confine (this composition has no sandbox): auto falls back for the demo.
  const app = testApp(r.store, { env: { ...process.env, OMK_SANDBOX: 'auto' } });
  return { app, host: fanOutHost(r), prepared: await demoAgent(app, r.root) };
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
    const { created } = await startGoal(testApp(planner.store), { create: request, mode: 'plan' });
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
      const { app, host, prepared } = await onRunner(r, goalId);
      const outcome = await executeOneSlice(app, host, { goalId, slice, prepared });
      expect(outcome.outcome).toBe('done');
      expect(outcome.stoppedBy).toBeNull();
      expect(outcome.owned).toContain(`slices/${slice}.json`);
      await r.state.push(goalId, `slice ${slice}`, { only: outcome.owned });
    }

    // A slice that is not in the plan is refused with the plan's slice ids.
    const stray = await runner('stray');
    await stray.state.pull(goalId);
    const strayRun = await onRunner(stray, goalId);
    await expect(
      executeOneSlice(strayRun.app, strayRun.host, { goalId, slice: 's9-nope', prepared: strayRun.prepared }),
    ).rejects.toThrow(/not in the plan/);

    const integrator = await runner('integrate');
    await integrator.state.pull(goalId);
    const { app, host } = await onRunner(integrator, goalId);
    // The slice runners' hosts could not confine (auto fell back); this one runs with the sandbox
    // off, so the goal's record has the runners' decisions only if their results carry them.
    const prepared = await prepareAgent(app, integrator.root, { name: 'demo', sandbox: 'off' }, null);
    const integrate = () => integrateSlices(app, host, { goalId, prepared, step: 'verify', dryRun: false });
    const { folded, result, notes } = await integrate();
    expect(folded).toBe(2);
    expect(notes).toEqual([]);
    expect(result.proof.status).toBe('ready');
    expect(result.proof.slices.map((s) => [s.id, s.status, s.attempts])).toEqual([
      [first?.id, 'done', 1],
      [second?.id, 'done', 1],
    ]);
    expect(result.proof.agentRuns.map((r) => r.taskId)).toEqual([first?.id, second?.id]);
    // Each runner's sandbox decision reached the proof (the demo agent's goal stays ready).
    expect(result.proof.decisions.filter((d) => d.kind === 'sandbox').map((d) => d.decision)).toEqual([
      'unsandboxed',
      'unsandboxed',
      'off',
    ]);
    expect((await integrate()).folded).toBe(0);
    await integrator.state.push(goalId, 'integrate');

    // Anyone can read the settled goal back from the state branch.
    const reader = await runner('reader');
    await reader.state.pull(goalId);
    expect((await reader.store.read(goalId)).status).toBe('ready');
  });
});
