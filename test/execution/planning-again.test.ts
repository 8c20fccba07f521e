import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo } from '../../src/adapters/git/repo.js';
import type { BudgetCheckpoint } from '../../src/runtime/budget/schema.js';
import { createGoal, planGoal } from '../../src/runtime/goal/create.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import type { Planner } from '../../src/runtime/plan/planner.js';
import { createGoalRequestSchema, parseRequest } from '../../src/runtime/requests.js';
import { GOALS, NODE_FIXTURE } from '../helpers/execution.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { localGoalStore } from '../helpers/goal-store.js';

// A run killed while its planning agent ran is planned again by `resume --auto` or `execute`
// (test/cli/kill-points.test.ts drives that with real processes). The budget ledger of such a goal
// opens once, and each planning agent's cost adds to what was spent before it.

let repo: TempRepo;
let stateRoot: string;

beforeAll(async () => {
  repo = await createTempRepo({ ...NODE_FIXTURE });
  stateRoot = await mkdtemp(join(tmpdir(), 'omk-planning-again-'));
});
afterAll(async () => {
  await repo.cleanup();
  await rm(stateRoot, { recursive: true, force: true });
});

/** The heuristic's plan, at the cost of a planning agent's run. */
const costlyPlanner: Planner = {
  name: 'costly',
  async plan(input) {
    return { ...(await heuristicPlanner.plan(input)), spent: { timeMs: 10, tokens: 100, usd: 0.25 } };
  },
};

describe('planning a goal again', () => {
  it('keeps one opening line in the ledger and adds each planning cost to the total', async () => {
    const store = localGoalStore(stateRoot);
    const deps = { store, repo: gitRepo, planner: costlyPlanner, randomHex: () => 'abc123' };
    const request = parseRequest(createGoalRequestSchema, {
      goal: GOALS.single,
      rawGoal: GOALS.single,
      repo: repo.root,
      budget: { tokens: '10000' },
      plannerTokenBudget: '3000',
      llmPlanner: false,
    });
    const { goal } = await createGoal(deps, request, 'plan');
    expect(goal.options.planner).toEqual({ llm: false, tokenBudget: 3000 });
    // What a kill after the planning agent's cost was recorded, before the plan was written, leaves.
    await rm(store.paths(goal.id).taskGraph);
    await planGoal(deps, goal.id, 'run');

    const ledger = (await readFile(store.paths(goal.id).budget, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BudgetCheckpoint);
    expect(ledger.map((line) => line.kind)).toEqual(['set', 'spend', 'spend']);
    expect(ledger.at(-1)?.spent).toEqual({ timeMs: 20, tokens: 200, usd: 0.5 });
    expect(ledger.map((line) => line.limits.tokens)).toEqual([10000, 10000, 10000]);
  });
});
