import { IllegalTransitionError } from '../errors.js';
import { EventLog } from '../events/log.js';
import { type BudgetLimits, type GoalRecord, TERMINAL_STATUSES } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { rebuildProof } from '../proof/assemble.js';
import type { BudgetAddRequest } from '../requests.js';
import {
  addToLimits,
  appendCheckpoint,
  type BudgetRemaining,
  currentSpent,
  readCheckpoints,
  remaining,
} from './ledger.js';
import type { BudgetCheckpoint, BudgetSpent } from './schema.js';

export interface BudgetView {
  goalId: string;
  limits: BudgetLimits;
  spent: BudgetSpent;
  remaining: BudgetRemaining;
  checkpoints: BudgetCheckpoint[];
}

export async function budgetView(store: GoalStore, goalId: string): Promise<BudgetView> {
  const goal = await store.read(goalId);
  const { checkpoints } = await readCheckpoints(store.paths(goalId).budget);
  const spent = checkpoints.at(-1)?.spent ?? { timeMs: 0, tokens: 0, usd: 0 };
  return { goalId, limits: goal.budget, spent, remaining: remaining(goal.budget, spent), checkpoints };
}

/** Extends a goal's budget; refused for final goals. Recorded as a checkpoint and an event. */
export async function addBudget(
  store: GoalStore,
  goalId: string,
  add: BudgetAddRequest,
): Promise<BudgetView> {
  const paths = store.paths(goalId);
  const events = new EventLog(paths.events, store.deps.clock);
  await store.withGoalLock(goalId, async () => {
    const goal: GoalRecord = await store.read(goalId);
    if (TERMINAL_STATUSES.includes(goal.status)) {
      throw new IllegalTransitionError(`Cannot add budget to goal ${goalId}: it is ${goal.status}.`, {
        hint: 'A final goal does not run again. Start a new goal instead.',
      });
    }
    const spent = await currentSpent(paths.budget);
    const limits = addToLimits(goal.budget, spent, { timeMs: add.time, tokens: add.tokens, usd: add.usd });
    const added = { timeMs: add.time ?? null, tokens: add.tokens ?? null, usd: add.usd ?? null };
    await appendCheckpoint(paths.budget, store.deps.clock, {
      kind: 'add',
      limits,
      spent,
      note: `added ${JSON.stringify(added)}`,
    });
    await events.append([{ type: 'budget_added', data: { added, limits } }]);
    const updated = await store.write({ ...goal, budget: limits });
    await rebuildProof(store, updated, events);
  });
  return budgetView(store, goalId);
}
