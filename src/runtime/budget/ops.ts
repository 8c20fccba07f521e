import { IllegalTransitionError } from '../errors.js';
import { EventLog } from '../events/log.js';
import { controllerAlive } from '../goal/actions.js';
import { type BudgetLimits, type GoalRecord, TERMINAL_STATUSES } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { taskGraphSchema, taskGraphVersioned } from '../graph/schema.js';
import { rebuildProof } from '../proof/assemble.js';
import type { BudgetAddRequest } from '../requests.js';
import { readVersioned, writeJsonAtomic } from '../state/versioned.js';
import { budgetUsd, tokenCount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
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
  const { checkpoints } = await readCheckpoints(store.files, store.paths(goalId).budget);
  const spent = checkpoints.at(-1)?.spent ?? { timeMs: 0, tokens: 0, usd: 0 };
  return { goalId, limits: goal.budget, spent, remaining: remaining(goal.budget, spent), checkpoints };
}

/** A part of the budget an addition would raise past its cap: the limit it would reach. */
export interface BudgetOver {
  part: keyof BudgetLimits;
  added: number;
  limit: number;
  cap: number;
}

/**
 * The most a goal's budget may reach (a host's setting, e.g. a repository's), and the error a
 * host words for an addition that would pass it.
 */
export interface BudgetCap {
  limits: Partial<Record<keyof BudgetLimits, number>>;
  refusal: (over: readonly BudgetOver[], goalId: string) => Error;
}

/** The parts `add` raises past `cap` once added to `limits` (a part not raised is never refused). */
export function overBudgetCap(
  limits: BudgetLimits,
  added: Partial<Record<keyof BudgetLimits, number>>,
  cap: BudgetCap['limits'],
): BudgetOver[] {
  return (['timeMs', 'tokens', 'usd'] as const).flatMap((part) => {
    const extra = added[part];
    const most = cap[part];
    const limit = limits[part];
    if (extra === undefined || most === undefined || limit === null || limit <= most) return [];
    return [{ part, added: extra, limit, cap: most }];
  });
}

/**
 * Extends a goal's budget; refused for final goals, and past `cap` (nothing is added: the host's
 * refusal is thrown). Recorded as a checkpoint and an event.
 */
export async function addBudget(
  store: GoalStore,
  goalId: string,
  add: BudgetAddRequest,
  cap?: BudgetCap,
): Promise<BudgetView> {
  const paths = store.paths(goalId);
  const events = new EventLog(store.files, paths.events, store.deps.clock, store.deps.host);
  await store.withGoalLock(goalId, async () => {
    const goal: GoalRecord = await store.read(goalId);
    if (TERMINAL_STATUSES.includes(goal.status)) {
      throw new IllegalTransitionError(`Cannot add budget to goal ${goalId}: it is ${goal.status}.`, {
        hint: 'A final goal does not run again. Start a new goal instead.',
      });
    }
    const spent = await currentSpent(store.files, paths.budget);
    const raise = { timeMs: add.time, tokens: add.tokens, usd: add.usd };
    const limits = addToLimits(goal.budget, spent, raise);
    if (cap !== undefined) {
      const over = overBudgetCap(limits, raise, cap.limits);
      if (over.length > 0) throw cap.refusal(over, goalId);
    }
    const added = { timeMs: add.time ?? null, tokens: add.tokens ?? null, usd: add.usd ?? null };
    await appendCheckpoint(store.files, paths.budget, store.deps.clock, {
      kind: 'add',
      limits,
      spent,
      note: addedText(added),
    });
    const rescaled = await rescaleSliceBudgets(store, goal, limits, spent);
    await events.append([{ type: 'budget_added', data: { added, limits, slicesRescaled: rescaled } }]);
    const updated = await store.write({ ...goal, budget: limits });
    await rebuildProof(store, updated, events);
  });
  return budgetView(store, goalId);
}

/**
 * Slices were given their share of the goal's time budget when it was planned; a bigger budget
 * gives the slices that have not run to the end the same share of it (scaled by new limit / old
 * limit, and never more than is left, which a slice must fit in to start), so a slice that ran
 * out of its own time gets more when the goal gets more. Only while no controller runs the goal:
 * a running controller owns the task graph (its next write would undo this), and its slices keep
 * what they were given. Returns how many slices were rescaled.
 */
async function rescaleSliceBudgets(
  store: GoalStore,
  goal: GoalRecord,
  limits: BudgetLimits,
  spent: BudgetSpent,
): Promise<number> {
  const before = goal.budget.timeMs;
  const after = limits.timeMs;
  if (before === null || after === null || after <= before || before <= 0) return 0;
  if (goal.status === 'running' && controllerAlive(store, goal)) return 0;
  const path = store.paths(goal.id).taskGraph;
  const graph = await readVersioned(store.files, taskGraphVersioned, path);
  let count = 0;
  const tasks = graph.tasks.map((task) => {
    if (task.status === 'done' || task.status === 'skipped' || task.status === 'failed') return task;
    count += 1;
    const scaled = Math.round((task.budget.timeMs * after) / before);
    const timeMs = Math.max(task.budget.timeMs, Math.min(after - spent.timeMs, scaled));
    return { ...task, budget: { ...task.budget, timeMs } };
  });
  if (count > 0) await writeJsonAtomic(store.files, path, taskGraphSchema.parse({ ...graph, tasks }));
  return count;
}

/** What budget-add added, as its checkpoint's note says it: `added time 10m, usd $2.00`. */
function addedText(added: BudgetLimits): string {
  const parts = [
    added.timeMs === null ? null : `time ${formatDuration(added.timeMs)}`,
    added.tokens === null ? null : `tokens ${tokenCount(added.tokens)}`,
    added.usd === null ? null : `usd ${budgetUsd(added.usd)}`,
  ];
  return `added ${parts.filter((part) => part !== null).join(', ')}`;
}
