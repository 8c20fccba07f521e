import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { addBudget } from '../../src/runtime/budget/ops.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { localGoalStore } from '../helpers/goal-store.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG } from './harness.js';

// Two writers on the state branch: an Action job runs a goal (auto-pr, gated merge) while another
// process (the bot, another job) records a decision on omk/state from its own clone, during
// delivery: the fake GitHub holds the job's first PR creation until the decision is pushed. Each
// decision must survive the job's later saves (in events.jsonl, once) and be obeyed.

let env: ActionEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

type Decision = 'pause' | 'cancel' | 'budget';

/** The goal on the state branch (the one goal the job created). */
function stateGoalId(origin: string): string {
  const names = execFileSync('git', ['ls-tree', '--name-only', 'refs/heads/omk/state', 'goals/'], {
    cwd: origin,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  expect(names).toHaveLength(1);
  return (names[0] ?? '').replace(/^goals\//, '');
}

function stateFile(origin: string, goalId: string, file: string): string {
  return execFileSync('git', ['show', `refs/heads/omk/state:goals/${goalId}/${file}`], {
    cwd: origin,
    encoding: 'utf8',
  });
}

function stateEvents(origin: string, goalId: string): { seq: number; type: string; data: unknown }[] {
  return stateFile(origin, goalId, 'events.jsonl')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { seq: number; type: string; data: unknown });
}

/** Another process records `decision` on the state branch, from its own clone and state root. */
async function decideElsewhere(run: ActionEnv, decision: Decision): Promise<string> {
  const goalId = stateGoalId(run.repo.origin);
  const dir = await mkdtemp(join(run.runnerTemp, 'other-'));
  const clone = join(dir, 'clone');
  execFileSync('git', ['clone', '--quiet', run.repo.origin, clone]);
  const stateRoot = join(dir, 'state');
  const remote = createGitStateBranch({ repoRoot: clone, stateRoot });
  await remote.pull(goalId);
  const store = localGoalStore(stateRoot);
  if (decision === 'budget') await addBudget(store, goalId, { time: 3_600_000 });
  else await applyLifecycle(store, goalId, decision, decision === 'cancel' ? 'stop: wrong approach' : '');
  await remote.push(goalId, `${decision} goal ${goalId}`);
  return goalId;
}

/** Runs the goal in the Action; `decision` is recorded elsewhere while its first PR is being created. */
async function runWithDecision(decision: Decision) {
  // No CI runs on the fake GitHub: the gated merge must not wait for one.
  const run = await createActionEnv({ files: NO_CI_CONFIG });
  env = run;
  let goalId = '';
  run.server.holdNext('pulls/create', 'before', async () => {
    goalId = await decideElsewhere(run, decision);
  });
  const result = await run.run(
    {
      goal: DEMO_GOAL,
      agent: 'demo',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      'budget-time': '30m',
      'fail-on-not-ready': 'false',
    },
    { OMK_STATE_POLL_MS: '200' },
  );
  expect(goalId, 'the job never created a PR').not.toBe('');
  const merges = run.server.count({ operationId: 'pulls/merge' });
  return { run, result, goalId, merges };
}

describe('a decision written to the state branch by another process during delivery', () => {
  it('pause: survives the job’s saves and the goal is not merged', async () => {
    const { run, result, goalId, merges } = await runWithDecision('pause');
    const log = result.stdout.slice(-3000);
    expect(merges, log).toBe(0);
    const goal = JSON.parse(stateFile(run.repo.origin, goalId, 'goal.json')) as { status: string };
    expect(goal.status, log).toBe('paused');
    const types = stateEvents(run.repo.origin, goalId).map((e) => e.type);
    expect(types.filter((t) => t === 'goal_paused')).toHaveLength(1);
    expect(types).not.toContain('goal_merged');
  }, 180_000);

  it('cancel: survives the job’s saves and the goal is not merged', async () => {
    const { run, result, goalId, merges } = await runWithDecision('cancel');
    const log = result.stdout.slice(-3000);
    expect(merges, log).toBe(0);
    const goal = JSON.parse(stateFile(run.repo.origin, goalId, 'goal.json')) as { status: string };
    expect(goal.status, log).toBe('cancelled');
    const types = stateEvents(run.repo.origin, goalId).map((e) => e.type);
    expect(types.filter((t) => t === 'goal_cancelled')).toHaveLength(1);
    expect(types).not.toContain('goal_merged');
  }, 180_000);

  it('budget extension: survives the job’s saves and the limit stays extended', async () => {
    const { run, result, goalId } = await runWithDecision('budget');
    const log = result.stdout.slice(-3000);
    const events = stateEvents(run.repo.origin, goalId);
    const added = events.filter((e) => e.type === 'budget_added');
    expect(added, log).toHaveLength(1);
    const goal = JSON.parse(stateFile(run.repo.origin, goalId, 'goal.json')) as {
      status: string;
      budget: { timeMs: number | null };
    };
    // 30 min set at creation, one hour added elsewhere.
    expect(goal.budget.timeMs, log).toBe(5_400_000);
    expect(stateFile(run.repo.origin, goalId, 'budget.jsonl')).toContain('"kind":"add"');
    // The extension is no stop: the goal is delivered and merged as it would have been.
    expect(goal.status, log).toBe('merged');
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 180_000);
});
