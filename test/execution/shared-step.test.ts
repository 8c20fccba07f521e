import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import {
  addBudget,
  applyLifecycle,
  budgetView,
  planSharedGoal,
  withPreparedSharedGoal,
  withSharedGoal,
} from '../../src/runtime/app/index.js';
import type { Reporter } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { testApp } from '../helpers/app.js';
import { git, type TempRepo } from '../helpers/git-repo.js';
import { createSharedJobs, type SharedJobs } from '../helpers/shared-jobs.js';

const STATE = 'omk/state';
let jobs: SharedJobs;
let repo: TempRepo;

beforeEach(async () => {
  jobs = await createSharedJobs('omk-shared-step-');
  repo = jobs.repo;
});
afterEach(async () => {
  await jobs.cleanup();
});

const workspace = (name: string, reporter?: Reporter) => jobs.workspace(name, reporter);

/** A planned goal on the state branch, made in its own workspace. */
async function sharedGoal(): Promise<string> {
  const first = await workspace('first');
  const create = parseRequest(createGoalRequestSchema, {
    goal: DEMO_GOAL,
    rawGoal: DEMO_GOAL,
    repo: first.root,
    agent: 'demo',
    idSuffix: 'c0ffee',
  });
  const origin = { repo: 'acme/widgets', issue: 7, commentId: 42, login: 'octocat' };
  return (await planSharedGoal(testApp(first.store), first.remote, create, origin)).goal.id;
}

/** The state branch's commit messages on origin, newest first. */
function stateLog(): string[] {
  return git(repo.origin, 'log', '--format=%s', STATE).split('\n');
}

describe('withSharedGoal: pull the goal, act, push the state', () => {
  it('refuses with a code when the branch or the goal is not there, and acts on nothing', async () => {
    const here = await workspace('here');
    let acted = false;
    const act = async () => {
      acted = true;
    };
    const noBranch = await withSharedGoal(here, { goalId: 'g-none', save: 'x' }, act);
    expect(noBranch).toEqual({ kind: 'not_shared', goalId: 'g-none', missing: 'branch' });
    await sharedGoal();
    const noGoal = await withSharedGoal(here, { goalId: 'g-none', save: 'x' }, act);
    expect(noGoal).toEqual({ kind: 'not_shared', goalId: 'g-none', missing: 'goal' });
    expect(acted).toBe(false);
  });

  it('brings the goal here, acts on it and pushes it with the message; another workspace sees the change', async () => {
    const goalId = await sharedGoal();
    const here = await workspace('here');
    const phases: string[] = [];
    const step = await withSharedGoal(
      here,
      {
        goalId,
        repoRoot: here.root,
        save: `omk: pause goal ${goalId}`,
        exclusive: async (phase, fn) => {
          phases.push(`${phase}:start`);
          const result = await fn();
          phases.push(`${phase}:end`);
          return result;
        },
      },
      async ({ goal, commit }) => {
        phases.push('act');
        expect(goal.repo.root).toBe(here.root);
        expect(commit).toMatch(/^[0-9a-f]{40}$/);
        return (await applyLifecycle(here.store, goalId, 'pause')).goal.status;
      },
    );
    expect(step).toMatchObject({ kind: 'done', value: 'paused' });
    expect(phases).toEqual(['pull:start', 'pull:end', 'act', 'push:start', 'push:end']);
    expect(step.kind === 'done' && step.saved).toBe(git(repo.origin, 'rev-parse', STATE));
    expect(stateLog()[0]).toBe(`omk: pause goal ${goalId}`);
    const other = await workspace('other');
    const read = await withSharedGoal(other, { goalId, save: null }, async ({ goal }) => goal.status);
    expect(read).toMatchObject({ kind: 'done', value: 'paused', saved: null });
  });

  it('pushes nothing for a read, when saveIf says no, or when the preparation refuses', async () => {
    const goalId = await sharedGoal();
    const tip = git(repo.origin, 'rev-parse', STATE);
    const here = await workspace('here');
    const change = () => applyLifecycle(here.store, goalId, 'pause');
    expect(await withSharedGoal(here, { goalId, save: null }, change)).toMatchObject({ saved: null });
    const skipped = await withSharedGoal(here, { goalId, save: 'x', saveIf: () => false }, change);
    expect(skipped).toMatchObject({ kind: 'done', saved: null });
    const refused = withPreparedSharedGoal(
      here,
      { goalId, save: 'x', saveOnFailure: true },
      async () => {
        throw new Error('no such agent');
      },
      change,
    );
    await expect(refused).rejects.toThrow('no such agent');
    expect(git(repo.origin, 'rev-parse', STATE)).toBe(tip);
  });

  it('after a failed act, pushes what it recorded only when asked, and throws the act error', async () => {
    const goalId = await sharedGoal();
    const here = await workspace('here');
    const failing = async () => {
      await addBudget(here.store, goalId, { tokens: 1000 });
      throw new Error('the agent crashed');
    };
    const tip = git(repo.origin, 'rev-parse', STATE);
    await expect(withSharedGoal(here, { goalId, save: 'omk: step' }, failing)).rejects.toThrow(
      'the agent crashed',
    );
    expect(git(repo.origin, 'rev-parse', STATE)).toBe(tip);
    await expect(
      withSharedGoal(here, { goalId, save: 'omk: step', saveOnFailure: true }, failing),
    ).rejects.toThrow('the agent crashed');
    expect(stateLog()[0]).toBe('omk: step (failed)');
  });

  it('a push that fails after a failed act is a warning; the act error is the one thrown', async () => {
    const goalId = await sharedGoal();
    const warnings: string[] = [];
    const here = await workspace('here', { info: () => {}, warn: (message) => warnings.push(message) });
    const broken = {
      ...here,
      remote: { ...here.remote, push: () => Promise.reject(new Error('push rejected')) },
    };
    const failing = async () => {
      throw new Error('the agent crashed');
    };
    await expect(withSharedGoal(broken, { goalId, save: 'x', saveOnFailure: true }, failing)).rejects.toThrow(
      'the agent crashed',
    );
    expect(warnings).toEqual([`could not save goal ${goalId} after the failure: push rejected`]);
  });

  it('merges what another writer pushed while it acted: the push replaces nothing of theirs', async () => {
    const goalId = await sharedGoal();
    const here = await workspace('here');
    const there = await workspace('there');
    const step = await withSharedGoal(here, { goalId, save: 'omk: budget' }, async () => {
      // Someone cancels the goal elsewhere while this step adds budget.
      await withSharedGoal(there, { goalId, save: 'omk: cancel' }, () =>
        applyLifecycle(there.store, goalId, 'cancel', 'changed my mind'),
      );
      return addBudget(here.store, goalId, { tokens: 1000 });
    });
    expect(step.kind).toBe('done');
    expect(stateLog().slice(0, 2)).toEqual(['omk: budget', 'omk: cancel']);
    const later = await workspace('later');
    const seen = await withSharedGoal(later, { goalId, save: null }, async ({ goal }) => ({
      status: goal.status,
      tokens: (await budgetView(later.store, goalId)).limits.tokens,
    }));
    expect(step.kind === 'done' && step.value.limits.tokens).toBeGreaterThanOrEqual(1000);
    const added = step.kind === 'done' ? step.value.limits.tokens : null;
    expect(seen).toMatchObject({ kind: 'done', value: { status: 'cancelled', tokens: added } });
  });
});
