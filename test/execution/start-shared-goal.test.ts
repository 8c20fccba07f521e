import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type SharedStartRequest, startSharedGoal, withSharedGoal } from '../../src/runtime/app/index.js';
import { type Reporter, silentReporter } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { testApp } from '../helpers/app.js';
import { git, type TempRepo } from '../helpers/git-repo.js';
import { createSharedJobs, type SharedJobs } from '../helpers/shared-jobs.js';

const STATE = 'omk/state';
let jobs: SharedJobs;
let repo: TempRepo;

beforeEach(async () => {
  jobs = await createSharedJobs('omk-start-shared-');
  repo = jobs.repo;
});
afterEach(async () => {
  await jobs.cleanup();
});

/** A job's workspace (its own clone and state root) with the use cases' dependencies over it. */
async function workspace(name: string, reporter: Reporter = silentReporter) {
  const ws = await jobs.workspace(name, reporter);
  return { ...ws, app: testApp(ws.store, { reporter }) };
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
      ...here.remote,
      push: (goalId: string, message: string) =>
        pushes++ === 0 ? here.remote.push(goalId, message) : Promise.reject(new Error('push rejected')),
    };
    // The run throws at its first worktree, once the goal exists: what this test is about is the
    // save after it, which the test above shows after a whole run (that run is not needed twice).
    const app = {
      ...here.app,
      execution: {
        ...here.app.execution,
        workspaces: () => {
          throw new Error('this test makes no worktree');
        },
      },
    };
    const started = startSharedGoal(app, remote, request(here.root, 'run', 'local'));
    await expect(started).rejects.toThrow('this test makes no worktree');
    const saving = warnings.filter((warning) => warning.startsWith('could not save'));
    expect(saving).toEqual([
      expect.stringMatching(/^could not save goal .+ after the failure: push rejected$/),
    ]);
    expect(stateLog()).toHaveLength(1);
  });

  it('a goal already on the shared state under the derived id is continued, not created again', async () => {
    // A rerun of the CI run that planned it, in another job: the same suffix derives the same goal.
    const first = await workspace('first');
    const planned = await startSharedGoal(first.app, first.remote, request(first.root, 'plan', 'local'));
    const goalId = planned.created.goal.id;
    expect(planned.continued).toBe(false);
    const rerun = await workspace('rerun');
    const continued = await startSharedGoal(rerun.app, rerun.remote, request(rerun.root, 'run', 'local'));
    expect(continued.continued).toBe(true);
    expect(continued.created.goal.id).toBe(goalId);
    expect(continued.executed?.proof.status).toBe('ready');
    expect(stateLog()).toEqual([`run: execute goal ${goalId}`, `plan: create goal ${goalId}`]);
    // Once settled, a further rerun reports it and runs nothing.
    const again = await workspace('again');
    const settled = await startSharedGoal(again.app, again.remote, request(again.root, 'run', 'local'));
    expect(settled).toMatchObject({
      continued: true,
      executed: null,
      saved: { created: null, executed: null },
    });
    expect(settled.created.goal.status).toBe('ready');
    expect(stateLog()).toHaveLength(2);
  });

  it('another suffix (another CI run) creates another goal', async () => {
    const here = await workspace('here');
    const first = await startSharedGoal(here.app, here.remote, request(here.root, 'plan', 'local'));
    const other = request(here.root, 'plan', 'local');
    const second = await startSharedGoal(here.app, here.remote, {
      ...other,
      create: { ...other.create, idSuffix: 'beef01' },
    });
    expect(second.continued).toBe(false);
    expect(second.created.goal.id).not.toBe(first.created.goal.id);
    expect(stateLog()).toEqual([
      `plan: create goal ${second.created.goal.id}`,
      `plan: create goal ${first.created.goal.id}`,
    ]);
  });
});
