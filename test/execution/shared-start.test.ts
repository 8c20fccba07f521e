import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { applyLifecycle, derivedGoalId, planSharedGoal, readOrigin } from '../../src/runtime/app/index.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';

const run = promisify(execFile);
let repo: TempRepo;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo({ ...DEMO_FILES });
  base = await mkdtemp(join(tmpdir(), 'omk-shared-start-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(base, { recursive: true, force: true });
});

/** A job's workspace: its own clone of origin and state root, sharing only the state branch. */
async function workspace(name: string) {
  const root = join(base, name);
  await run('git', ['clone', '--quiet', repo.origin, root]);
  const stateRoot = join(base, `${name}-state`);
  const store = localGoalStore(stateRoot);
  return { root, store, remote: createGitStateBranch({ repoRoot: root, stateRoot }) };
}

const origin = { repo: 'acme/widgets', issue: 7, commentId: 42, login: 'octocat' };

function request(root: string) {
  return parseRequest(createGoalRequestSchema, {
    goal: DEMO_GOAL,
    rawGoal: DEMO_GOAL,
    repo: root,
    agent: 'demo',
    idSuffix: 'c0ffee',
  });
}

describe('planSharedGoal: a goal from a thread, planned once on the state branch', () => {
  it('plans and shares a new goal, and a redelivery in another workspace reuses it', async () => {
    const first = await workspace('first');
    const started = await planSharedGoal(testApp(first.store), first.remote, request(first.root), origin);
    expect(started.goal.id).toBe(derivedGoalId(request(first.root)));
    expect(started).toMatchObject({ created: true, startable: true });
    expect(started.goal.status).toBe('planned');

    const second = await workspace('second');
    const again = await planSharedGoal(testApp(second.store), second.remote, request(second.root), origin);
    expect(again).toMatchObject({ created: false, startable: true });
    expect(again.goal.id).toBe(started.goal.id);
    expect(await readOrigin(second.store, started.goal.id)).toEqual({ issue: 7, login: 'octocat' });
  });

  it('does not start a goal that is no longer planned', async () => {
    const first = await workspace('first');
    const { goal } = await planSharedGoal(testApp(first.store), first.remote, request(first.root), origin);
    await applyLifecycle(first.store, goal.id, 'cancel', 'changed my mind');
    await first.remote.push(goal.id, 'cancel');

    const second = await workspace('second');
    const again = await planSharedGoal(testApp(second.store), second.remote, request(second.root), origin);
    expect(again).toMatchObject({ created: false, startable: false });
    expect(again.goal.status).toBe('cancelled');
  });
});
