import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { processHost } from '../../src/cli/context.js';
import { type SharedStartRequest, startSharedGoal, withSharedGoal } from '../../src/runtime/app/index.js';
import { goalReconciler } from '../../src/runtime/app/ports.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import { type Reporter, silentReporter, systemClock } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';

const run = promisify(execFile);
const STATE = 'omk/state';
let repo: TempRepo;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo({ ...DEMO_FILES });
  base = await mkdtemp(join(tmpdir(), 'omk-start-shared-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(base, { recursive: true, force: true });
});

/** A job's workspace: its own clone of origin and state root, sharing only the state branch. */
async function workspace(name: string, reporter: Reporter = silentReporter) {
  const root = join(base, name);
  await run('git', ['clone', '--quiet', repo.origin, root]);
  const stateRoot = join(base, `${name}-state`);
  const store = new GoalStore({ stateRoot, clock: systemClock, host: processHost, reporter });
  const remote = createGitStateBranch({ repoRoot: root, stateRoot, reconcile: goalReconciler(store) });
  return { root, store, remote, reporter, app: testApp(store, { reporter }) };
}

function request(root: string, mode: 'plan' | 'run', policy: 'local' | 'draft-pr'): SharedStartRequest {
  return {
    create: parseRequest(createGoalRequestSchema, {
      goal: DEMO_GOAL,
      rawGoal: DEMO_GOAL,
      repo: root,
      agent: 'demo',
      policy,
      idSuffix: 'c0ffee',
    }),
    mode,
    agent: { name: 'demo' },
    save: true,
  };
}

/** The state branch's commit messages on origin, newest first; [] when it does not exist. */
function stateLog(): string[] {
  const branches = git(repo.origin, 'branch', '--list', STATE);
  return branches === '' ? [] : git(repo.origin, 'log', '--format=%s', STATE).split('\n');
}

describe('startSharedGoal: a new goal saved to the shared state', () => {
  it('plan: pushes the planned goal once, and another workspace finds it there', async () => {
    const here = await workspace('here');
    const created: [string, string | null][] = [];
    const started = await startSharedGoal(here.app, here.remote, {
      ...request(here.root, 'plan', 'local'),
      onCreated: (goalId, commit) => created.push([goalId, commit]),
    });
    const goalId = started.created.goal.id;
    expect(started.executed).toBeNull();
    expect(started.saved).toEqual({ created: git(repo.origin, 'rev-parse', STATE), executed: null });
    expect(created).toEqual([[goalId, started.saved.created]]);
    expect(stateLog()).toEqual([`plan: create goal ${goalId}`]);
    const other = await workspace('other');
    const read = await withSharedGoal(other, { goalId, save: null }, async ({ goal }) => goal.status);
    expect(read).toMatchObject({ kind: 'done', value: 'planned' });
  });

  it('pushes nothing when told not to save (a dry run)', async () => {
    const here = await workspace('here');
    const created: (string | null)[] = [];
    const started = await startSharedGoal(here.app, here.remote, {
      ...request(here.root, 'plan', 'local'),
      save: false,
      onCreated: (_goalId, commit) => created.push(commit),
    });
    expect(started.saved).toEqual({ created: null, executed: null });
    expect(created).toEqual([null]);
    expect(stateLog()).toEqual([]);
  });

  it('run: pushes the goal when created and again once it ran', async () => {
    const here = await workspace('here');
    const started = await startSharedGoal(here.app, here.remote, request(here.root, 'run', 'local'));
    const goalId = started.created.goal.id;
    expect(started.executed).not.toBeNull();
    expect(stateLog()).toEqual([`run: execute goal ${goalId}`, `run: create goal ${goalId}`]);
    expect(started.saved.executed).toBe(git(repo.origin, 'rev-parse', STATE));
    const other = await workspace('other');
    const read = await withSharedGoal(other, { goalId, save: null }, async ({ goal }) => goal.status);
    expect(started.executed?.proof.status).toBe('ready');
    expect(read).toMatchObject({ kind: 'done', value: started.executed?.goal.status });
  });

  it('a run that throws after the goal exists saves what it gathered, then throws its own error', async () => {
    const here = await workspace('here');
    // draft-pr delivers through the forge, and this test's forge refuses.
    const started = startSharedGoal(here.app, here.remote, request(here.root, 'run', 'draft-pr'));
    await expect(started).rejects.toThrow('this test delivers nothing');
    const [failed, created] = stateLog();
    expect(failed).toMatch(/^run: execute goal .+ \(failed\)$/);
    expect(created).toMatch(/^run: create goal /);
  });

  it('a save that fails after a failed run is a warning; the run error is the one thrown', async () => {
    const warnings: string[] = [];
    const here = await workspace('here', { info: () => {}, warn: (message) => warnings.push(message) });
    let pushes = 0;
    const remote = {
      push: (goalId: string, message: string) =>
        pushes++ === 0 ? here.remote.push(goalId, message) : Promise.reject(new Error('push rejected')),
    };
    const started = startSharedGoal(here.app, remote, request(here.root, 'run', 'draft-pr'));
    await expect(started).rejects.toThrow('this test delivers nothing');
    const saving = warnings.filter((warning) => warning.startsWith('could not save'));
    expect(saving).toEqual([
      expect.stringMatching(/^could not save goal .+ after the failure: push rejected$/),
    ]);
    expect(stateLog()).toHaveLength(1);
  });
});
