import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { gitRepo } from '../../src/adapters/git/repo.js';
import { createGitStateBranch, type GitStateBranchOptions } from '../../src/adapters/git/state-branch.js';
import { createLocalForge } from '../../src/adapters/local-forge/forge.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { executeAndDeliver } from '../../src/runtime/app/execute.js';
import { renderStatusText } from '../../src/runtime/app/goal-text.js';
import { addBudget } from '../../src/runtime/budget/ops.js';
import { EventLog } from '../../src/runtime/events/log.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { createGoal } from '../../src/runtime/goal/create.js';
import { goalStatus, readProof } from '../../src/runtime/goal/queries.js';
import { goalReconciler } from '../../src/runtime/goal/reconcile.js';
import type { GoalStore } from '../../src/runtime/goal/store.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import { systemClock } from '../../src/runtime/ports.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import type { RemoteStateStore } from '../../src/runtime/state/remote.js';
import { testApp } from '../helpers/app.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { tempStateDir } from '../helpers/omk.js';

/** One writer of the state branch: its own clone, state root, store and state-branch client. */
interface Writer {
  root: string;
  store: GoalStore;
  state: RemoteStateStore;
}

let repo: TempRepo;
const cleanups: (() => Promise<void>)[] = [];
let goalId: string;
let a: Writer;
let b: Writer;

async function writer(root: string, extra: Partial<GitStateBranchOptions> = {}): Promise<Writer> {
  const state = await tempStateDir();
  cleanups.push(state.cleanup);
  const store = localGoalStore(state.dir);
  const remote = createGitStateBranch({
    repoRoot: root,
    stateRoot: state.dir,
    reconcile: goalReconciler(store),
    ...extra,
  });
  return { root, store, state: remote };
}

async function setup(options: { policy?: string; mergePolicy?: string } = {}): Promise<void> {
  repo = await createTempRepo({ ...DEMO_FILES });
  cleanups.push(repo.cleanup);
  a = await writer(repo.root);
  const request = parseRequest(createGoalRequestSchema, {
    goal: DEMO_GOAL,
    rawGoal: DEMO_GOAL,
    repo: repo.root,
    ...options,
  });
  const created = await createGoal(
    { store: a.store, repo: gitRepo, planner: heuristicPlanner, randomHex: () => 'abc123' },
    request,
    'plan',
  );
  goalId = created.goal.id;
  await a.state.push(goalId, 'plan');
  // B: the bot or another job, in its own clone, with the goal as the branch had it.
  const clone = join(repo.root, '..', 'clone-b');
  git(repo.root, 'clone', '--quiet', repo.origin, clone);
  b = await writer(clone);
  await b.state.pull(goalId);
}

beforeEach(() => {
  cleanups.length = 0;
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function events(w: Writer): Promise<{ seq: number; type: string; data: Record<string, unknown> }[]> {
  return (await new EventLog(localStateFiles, w.store.paths(goalId).events, systemClock).read()).events;
}

/** events.jsonl as the state branch has it now. */
function remoteEvents(): { seq: number; type: string }[] {
  const text = git(repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/events.jsonl`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { seq: number; type: string });
}

function remoteGoal(): { status: string; budget: { timeMs: number | null } } {
  return JSON.parse(git(repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/goal.json`)) as {
    status: string;
    budget: { timeMs: number | null };
  };
}

/** A's run goes on from its stale copy: it records progress the way a controller does. */
async function progressOnA(type: 'task_leased' | 'agent_started'): Promise<void> {
  await a.store.withGoalLock(goalId, async () => {
    await new EventLog(localStateFiles, a.store.paths(goalId).events, systemClock).append([
      { type, data: { taskId: 's1' } },
    ]);
  });
}

function expectContiguous(seqs: readonly number[]): void {
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
}

describe('two writers on the state branch: a save merges, never replaces', () => {
  it('keeps a pause written elsewhere, with the stale writer’s own events after it, and obeys it', async () => {
    await setup();
    await progressOnA('task_leased');
    await applyLifecycle(b.store, goalId, 'pause');
    await b.state.push(goalId, 'pause');
    await progressOnA('agent_started');
    await a.state.push(goalId, 'execute');

    const types = remoteEvents().map((e) => e.type);
    expect(types.filter((t) => t === 'goal_paused')).toHaveLength(1);
    expect(types).toContain('task_leased');
    expect(types).toContain('agent_started');
    // The remote's history keeps its place; A's own appends come after it.
    expect(types.indexOf('goal_paused')).toBeLessThan(types.indexOf('task_leased'));
    expectContiguous(remoteEvents().map((e) => e.seq));
    expect(remoteGoal().status).toBe('paused');
    // A's local copy sees the merged history and the decision, and its proof is rebuilt from it.
    expect((await a.store.read(goalId)).status).toBe('paused');
    const local = await events(a);
    expect(local.map((e) => e.type)).toContain('goal_paused');
    const { proof } = await readProof(a.store, goalId);
    expect(proof.eventsThroughSeq).toBe(local.at(-2)?.seq);

    // Saving again changes nothing: the merge is idempotent.
    const tip = git(repo.origin, 'rev-parse', 'omk/state');
    await a.state.push(goalId, 'execute again');
    expect(git(repo.origin, 'rev-parse', 'omk/state')).toBe(tip);
  }, 60_000);

  it('keeps a budget extension and a cancel, re-adding the stale writer’s spend on top', async () => {
    await setup();
    const before = (await a.store.read(goalId)).budget.timeMs ?? 0;
    await addBudget(b.store, goalId, { time: 60_000 });
    await b.state.push(goalId, 'budget-add');
    await b.state.pull(goalId);
    await applyLifecycle(b.store, goalId, 'cancel', 'wrong approach');
    await b.state.push(goalId, 'cancel');
    // A spends on its own copy meanwhile.
    const budgetPath = a.store.paths(goalId).budget;
    const lines = (await readFile(budgetPath, 'utf8')).split('\n').filter(Boolean);
    const last = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
    await a.store.withGoalLock(goalId, async () => {
      const { appendCheckpoint } = await import('../../src/runtime/budget/ledger.js');
      await appendCheckpoint(localStateFiles, budgetPath, systemClock, {
        kind: 'spend',
        limits: last.limits as { timeMs: number | null; tokens: number | null; usd: number | null },
        spent: { timeMs: 5_000, tokens: 10, usd: 0.5 },
        note: 's1 attempt 1',
      });
    });
    await a.state.push(goalId, 'execute');

    const goal = remoteGoal();
    expect(goal.status).toBe('cancelled');
    expect(goal.budget.timeMs).toBe(before + 60_000);
    const budget = git(repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/budget.jsonl`)
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            seq: number;
            kind: string;
            limits: { timeMs: number };
            spent: { timeMs: number };
          },
      );
    expect(budget.map((c) => c.kind)).toEqual(['set', 'add', 'spend']);
    expectContiguous(budget.map((c) => c.seq));
    expect(budget.at(-1)?.limits.timeMs).toBe(before + 60_000);
    expect(budget.at(-1)?.spent.timeMs).toBe(5_000);
    const types = remoteEvents().map((e) => e.type);
    expect(types).toContain('budget_added');
    expect(types).toContain('goal_cancelled');
    const failure = JSON.parse(
      git(repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/failure.json`),
    ) as { reason: string };
    expect(failure.reason).toBe('wrong approach');
  }, 60_000);

  it('reads, merges and pushes again when it loses the race to another writer', async () => {
    await setup();
    let paused = false;
    // A's state-branch client, with a rival push landing between A's build and its push.
    const racer = createGitStateBranch({
      repoRoot: repo.root,
      stateRoot: join(a.store.paths(goalId).dir, '..', '..'),
      reconcile: goalReconciler(a.store),
      beforePush: async (info) => {
        if (paused) return;
        paused = true;
        expect(info.attempt).toBe(1);
        await applyLifecycle(b.store, goalId, 'pause');
        await b.state.push(goalId, 'pause');
      },
    });
    await progressOnA('task_leased');
    const pushed = await racer.push(goalId, 'execute');
    expect(paused).toBe(true);
    // Fast-forward from B's commit: the pushed commit descends from the state history.
    expect(git(repo.origin, 'log', '--format=%s', '-2', pushed).split('\n')).toEqual(['execute', 'pause']);
    const types = remoteEvents().map((e) => e.type);
    expect(types.filter((t) => t === 'goal_paused')).toHaveLength(1);
    expect(types).toContain('task_leased');
    expect(remoteGoal().status).toBe('paused');
  }, 60_000);
});

describe('a decision written elsewhere during delivery', () => {
  it('a goal cancelled after its integration, before delivery: nothing is delivered, and the run, its events and its status say so', async () => {
    await setup({ policy: 'draft-pr' });
    const local = createLocalForge({ repoRoot: repo.root, stateRoot: join(repo.root, '..', 'forge') });
    let pushes = 0;
    const app = testApp(a.store, {
      // The forge is asked for once the goal was found deliverable: the cancel lands in between.
      forge: async () => {
        await applyLifecycle(a.store, goalId, 'cancel', 'not this way', 'someone@example.com');
        return {
          ...local,
          async push(...args: Parameters<typeof local.push>) {
            pushes += 1;
            return local.push(...args);
          },
        };
      },
    });
    const outcome = await executeAndDeliver(app, { goalId, agent: { name: 'demo' }, after: 'deliver' });
    const data = { status: 'cancelled', policy: 'draft-pr', opened: [], withheld: ['delivery'] };
    expect(outcome.notes).toEqual([{ code: 'withheld', ...data }]);
    expect(outcome.delivery).toBeNull();
    expect(outcome.goal.status).toBe('cancelled');
    expect(pushes).toBe(0);
    const types = (await events(a)).map((event) => event.type);
    const finished = types.indexOf('execution_finished');
    expect(types.indexOf('integration_done')).toBeLessThan(finished);
    expect(types.slice(finished)).toEqual(expect.arrayContaining(['goal_cancelled', 'delivery_withheld']));
    expect((await events(a)).find((event) => event.type === 'delivery_withheld')?.data).toEqual(data);
    const status = renderStatusText(await goalStatus(a.store, goalId), (id) => `omk goal proof ${id}`);
    expect(status).toMatch(
      /^ended {3}cancelled at \S+ by someone@example\.com \(not this way\): nothing delivered \(policy draft-pr\)$/m,
    );
  }, 120_000);

  it('a goal the bot cancels on the state branch once it ran, before delivery: the run brings the cancel in and records the withheld delivery', async () => {
    await setup({ policy: 'draft-pr' });
    const app = testApp(a.store, {
      shared: { remote: a.state, pollMs: 60_000 },
      // The bot's cancel lands once execution ended, before the run's last look at the state branch.
      phase: async (title, fn) => {
        const result = await fn();
        if (title.startsWith('omk: executing')) {
          await b.state.pull(goalId);
          await applyLifecycle(b.store, goalId, 'cancel', 'not this way', 'octocat');
          await b.state.push(goalId, 'cancel');
        }
        return result;
      },
    });
    const outcome = await executeAndDeliver(app, { goalId, agent: { name: 'demo' }, after: 'deliver' });
    const data = { status: 'cancelled', policy: 'draft-pr', opened: [], withheld: ['delivery'] };
    expect(outcome.notes).toEqual([{ code: 'withheld', ...data }]);
    expect(outcome.goal.status).toBe('cancelled');
    expect((await events(a)).find((event) => event.type === 'delivery_withheld')?.data).toEqual(data);
    const status = renderStatusText(await goalStatus(a.store, goalId), (id) => `omk goal proof ${id}`);
    expect(status).toMatch(
      /^ended {3}cancelled at \S+ by octocat \(not this way\): nothing delivered \(policy draft-pr\)$/m,
    );
  }, 120_000);

  it('a goal cancelled on the state branch while its PRs are opened: the rest are not opened, nor merged, and its events and status say what stays', async () => {
    await setup({ policy: 'auto-pr', mergePolicy: 'gated' });
    const local = createLocalForge({ repoRoot: repo.root, stateRoot: join(repo.root, '..', 'forge') });
    const opened: number[] = [];
    let merges = 0;
    const forge = {
      ...local,
      async createPullRequest(...args: Parameters<typeof local.createPullRequest>) {
        if (opened.length === 0) {
          // The bot, in its own clone: the cancel lands while the first PR is opened.
          await b.state.pull(goalId);
          await applyLifecycle(b.store, goalId, 'cancel', 'cancelled during delivery', 'octocat');
          await b.state.push(goalId, 'cancel');
        }
        const pull = await local.createPullRequest(...args);
        opened.push(pull.number);
        return pull;
      },
      async merge(...args: Parameters<typeof local.merge>) {
        merges += 1;
        return local.merge(...args);
      },
    };
    const app = testApp(a.store, {
      forge: () => Promise.resolve(forge),
      shared: { remote: a.state, pollMs: 60_000 },
    });
    const outcome = await executeAndDeliver(app, { goalId, agent: { name: 'demo' }, after: 'deliver' });
    // Found before the second PR: the first stays open, the others (the integrator's last) are withheld.
    expect(opened).toHaveLength(1);
    const planned = outcome.delivery?.plan.pulls.map((pull) => pull.sliceId ?? 'integrator') ?? [];
    expect(planned.length).toBeGreaterThan(1);
    const data = { status: 'cancelled', policy: 'auto-pr', opened, withheld: [...planned.slice(1), 'merge'] };
    expect(outcome.notes).toEqual([{ code: 'withheld', ...data }]);
    expect(outcome.delivery?.stopped).toEqual({ status: 'cancelled', withheld: planned.slice(1) });
    expect(merges).toBe(0);
    expect((await a.store.read(goalId)).status).toBe('cancelled');
    expect((await events(a)).find((event) => event.type === 'delivery_withheld')?.data).toEqual(data);
    const status = renderStatusText(await goalStatus(a.store, goalId), (id) => `omk goal proof ${id}`);
    expect(status).toContain(
      `ended   cancelled at ${(await readProof(a.store, goalId)).proof.delivery.cancellation?.at} by octocat (cancelled during delivery): PR #${opened[0]} stays open; not opened: ${planned.slice(1).join(', ')}; not merged (policy auto-pr)\n`,
    );
    await a.state.push(goalId, 'after delivery');
    expect(remoteGoal().status).toBe('cancelled');
    expect(remoteEvents().map((e) => e.type)).toContain('delivery_withheld');
    expect(remoteEvents().map((e) => e.type)).not.toContain('goal_merged');
  }, 120_000);
});
