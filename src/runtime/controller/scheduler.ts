import type { BudgetSpent } from '../budget/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import type { Task } from '../graph/schema.js';

/** Pending tasks whose dependencies are all done, in graph order. */
export function readyTasks(tasks: readonly Task[]): Task[] {
  const status = new Map(tasks.map((task) => [task.id, task.status]));
  return tasks.filter(
    (task) => task.status === 'pending' && task.dependsOn.every((dep) => status.get(dep) === 'done'),
  );
}

/** Pending tasks that can never run because a dependency failed or was skipped. */
export function blockedByFailure(tasks: readonly Task[]): { task: Task; dependency: string }[] {
  const status = new Map(tasks.map((task) => [task.id, task.status]));
  const blocked: { task: Task; dependency: string }[] = [];
  for (const task of tasks) {
    if (task.status !== 'pending') continue;
    const dependency = task.dependsOn.find(
      (dep) => status.get(dep) === 'failed' || status.get(dep) === 'skipped',
    );
    if (dependency) blocked.push({ task, dependency });
  }
  return blocked;
}

export type BudgetDecision =
  | { dispatch: true; timeoutMs: number }
  | { dispatch: false; exhausted: true; which: string }
  | { dispatch: false; exhausted: false; reason: string };

/**
 * Checked before every dispatch: a spent budget stops all dispatching; a task whose own time
 * budget exceeds what is left is rejected (it stays pending, so budget-add then resume runs it),
 * unless it is a retry, which gets the time that is left.
 */
export function budgetDecision(limits: BudgetLimits, spent: BudgetSpent, task: Task): BudgetDecision {
  const exhausted = exhaustedLimit(limits, spent);
  if (exhausted) return { dispatch: false, exhausted: true, which: exhausted };
  if (limits.timeMs !== null) {
    const left = limits.timeMs - spent.timeMs;
    // A retry of a slice already admitted runs in what is left; a first attempt must fit whole.
    if (task.attempts > 0 && task.budget.timeMs > left) return { dispatch: true, timeoutMs: left };
    if (task.budget.timeMs > left) {
      return {
        dispatch: false,
        exhausted: false,
        reason: `task ${task.id} needs ${task.budget.timeMs} ms but only ${left} ms of the time budget is left`,
      };
    }
  }
  return { dispatch: true, timeoutMs: task.budget.timeMs };
}

/** The first limit that is used up, or null. */
export function exhaustedLimit(limits: BudgetLimits, spent: BudgetSpent): 'time' | 'tokens' | 'usd' | null {
  if (limits.timeMs !== null && spent.timeMs >= limits.timeMs) return 'time';
  if (limits.tokens !== null && spent.tokens >= limits.tokens) return 'tokens';
  if (limits.usd !== null && spent.usd >= limits.usd) return 'usd';
  return null;
}

export function addSpend(spent: BudgetSpent, add: Partial<BudgetSpent>): BudgetSpent {
  return {
    timeMs: spent.timeMs + (add.timeMs ?? 0),
    tokens: spent.tokens + (add.tokens ?? 0),
    usd: Math.round((spent.usd + (add.usd ?? 0)) * 1_000_000) / 1_000_000,
  };
}
