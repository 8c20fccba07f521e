import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { createLocalForge } from '../../src/adapters/local-forge/forge.js';
import { executeAndDeliver } from '../../src/runtime/app/execute.js';
import type { AppDeps } from '../../src/runtime/app/index.js';
import { PolicyViolationError } from '../../src/runtime/errors.js';
import type { Forge } from '../../src/runtime/forge/port.js';
import { createGoal } from '../../src/runtime/goal/create.js';
import { readProof } from '../../src/runtime/goal/queries.js';
import type { GoalStore } from '../../src/runtime/goal/store.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { tempStateDir } from '../helpers/omk.js';

// The controller compares its goal's evidence with what it wrote before the proof; delivery comes
// after. These edit the evidence in that window, as a process an agent left behind could, and
// expect the same process's delivery and merge to compare again: nothing is pushed or merged, and
// the goal says `not_ready` with a `state_tampered` gap naming the file.

let repo: TempRepo;
let store: GoalStore;
let goalId: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  cleanups.length = 0;
  repo = await createTempRepo({ ...DEMO_FILES });
  cleanups.push(repo.cleanup);
  const state = await tempStateDir();
  cleanups.push(state.cleanup);
  store = localGoalStore(state.dir);
  const request = parseRequest(createGoalRequestSchema, {
    goal: DEMO_GOAL,
    rawGoal: DEMO_GOAL,
    repo: repo.root,
    policy: 'auto-pr',
    mergePolicy: 'gated',
  });
  const created = await createGoal(
    { store, repo: gitRepo, planner: heuristicPlanner, randomHex: () => 'abc123' },
    request,
    'plan',
  );
  goalId = created.goal.id;
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The local forge, counting what leaves the machine, with `hooks` run before its calls. */
function watchedForge(hooks: { beforeChecks?: () => Promise<void> } = {}) {
  const local = createLocalForge({ repoRoot: repo.root, stateRoot: join(repo.root, '..', 'forge') });
  const calls = { pushes: 0, merges: 0 };
  const forge: Forge = {
    ...local,
    async push(...args) {
      calls.pushes += 1;
      return local.push(...args);
    },
    async checks(...args) {
      await hooks.beforeChecks?.();
      return local.checks(...args);
    },
    async merge(...args) {
      calls.merges += 1;
      return local.merge(...args);
    },
  };
  return { forge, calls };
}

function app(forge: Forge, phase?: AppDeps['phase']): AppDeps {
  return testApp(store, {
    forge: () => Promise.resolve(forge),
    ...(phase === undefined ? {} : { phase }),
  });
}

/** One gate log the controller wrote for the proof, as its name in the goal directory. */
async function aGateLog(): Promise<string> {
  const names = await readdir(join(store.paths(goalId).artifacts, 'gates'));
  const log = names.find((name) => name.endsWith('.log'));
  if (log === undefined) throw new Error(`no gate log among ${names.join(', ')}`);
  return `artifacts/gates/${log}`;
}

/** The same length, another content: a failing run's output made to read as a pass. */
async function rewriteSameLength(relative: string): Promise<void> {
  const path = join(store.paths(goalId).dir, relative);
  const text = await readFile(path, 'utf8');
  await writeFile(
    path,
    text.replace(/[a-z]/, (c) => (c === 'x' ? 'y' : 'x')),
  );
}

async function expectNotReady(file: string): Promise<void> {
  expect((await store.read(goalId)).status).toBe('not_ready');
  const { proof } = await readProof(store, goalId);
  expect(proof.status).toBe('not_ready');
  const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
  expect(gaps).toContainEqual(
    expect.stringContaining(
      `${file} of this goal was changed by something other than its controller after the proof was built`,
    ),
  );
}

describe('the evidence compared again right before delivery and before the merge', () => {
  it('(the control) untouched, the goal is delivered and merged', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const { forge, calls } = watchedForge();
    const outcome = await executeAndDeliver(app(forge), {
      goalId,
      agent: { name: 'demo' },
      after: 'deliver',
    });
    expect(outcome.merge?.merged).toBe(true);
    expect(calls.pushes).toBeGreaterThan(0);
    expect(git(repo.root, 'rev-parse', 'main')).not.toBe(main);
  }, 180_000);

  it('a gate log rewritten after the proof: nothing is pushed, the goal is not_ready', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const { forge, calls } = watchedForge();
    let file = '';
    const phase: AppDeps['phase'] = async (title, fn) => {
      // After the controller's proof, before delivery's first push: the window this closes.
      if (title.startsWith('omk: delivering goal')) {
        file = await aGateLog();
        await rewriteSameLength(file);
      }
      return fn();
    };
    const run = executeAndDeliver(app(forge, phase), { goalId, agent: { name: 'demo' }, after: 'deliver' });
    const error = await run.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect((error as Error).message).toContain(`${file} changed`);
    expect((error as Error).message).toContain('nothing was pushed');
    expect(calls.pushes).toBe(0);
    expect(calls.merges).toBe(0);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    await expectNotReady(file);
  }, 180_000);

  it('execution.json edited after the PRs were opened: the merge is refused, put back, not_ready', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const execution = store.paths(goalId).execution;
    const { forge, calls } = watchedForge({
      // Read by the merge's decision, after delivery: the last forge call before the merge.
      beforeChecks: async () => {
        const text = await readFile(execution, 'utf8');
        await writeFile(execution, text.replace(/^\{/, '{"forged":true,'));
      },
    });
    const outcome = await executeAndDeliver(app(forge), {
      goalId,
      agent: { name: 'demo' },
      after: 'deliver',
    });
    expect(calls.pushes).toBeGreaterThan(0);
    expect(outcome.merge?.merged).toBe(false);
    expect(outcome.merge).toMatchObject({ blockedBy: 'state_tampered' });
    const reasons = outcome.merge?.merged === false ? outcome.merge.reasons : [];
    expect(reasons.map((r) => r.detail)).toContainEqual(
      expect.stringContaining('execution.json of this goal was changed'),
    );
    expect(calls.merges).toBe(0);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    // omk's own copy is back on disk, with the gap.
    expect(await readFile(execution, 'utf8')).not.toContain('"forged"');
    await expectNotReady('execution.json');
  }, 180_000);
});
