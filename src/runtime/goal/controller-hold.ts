import { goalPaths } from '../state/paths.js';
import type { GoalRecord } from './schema.js';
import type { GoalStore } from './store.js';

// Who runs a goal, by something an agent cannot write. Unsandboxed, an agent can write its goal's
// goal.json: until its controller's next write puts its own record back, another omk process
// reads what the agent wrote there (a dead pid as the controller makes the goal look orphaned to
// `resume --auto`). So a controller keeps its goal's directory open while it runs it, and a
// process about to take a goal over, or to judge its controller gone, first asks the host whether
// a live omk process (no descendant of the asking one) holds that directory open: if one does,
// the goal is running, whatever goal.json says.

/** Keeps goal `id`'s directory open while this process controls it; call the result to let go. */
export async function holdGoal(store: Pick<GoalStore, 'deps'>, id: string): Promise<() => Promise<void>> {
  const hold = store.deps.host.holdOpen;
  if (!hold) return async () => {};
  return hold(goalPaths(store.deps.stateRoot, id).dir);
}

/**
 * The pid of another live omk process that controls goal `id` (it holds the goal's directory
 * open); null when none does or the host cannot tell.
 */
export function controlledElsewhere(store: Pick<GoalStore, 'deps'>, id: string): number | null {
  const ask = store.deps.host.otherOmkHolding;
  return ask?.(goalPaths(store.deps.stateRoot, id).dir) ?? null;
}

/**
 * Whether a controller could be running `goal` by what goal.json says (as its controller wrote it,
 * or an agent did): one that records a controller, or whose status a running goal can show. A
 * finished goal that records none is nobody's, and is not asked about.
 */
export function mayBeControlled(goal: GoalRecord): boolean {
  return goal.controller !== null || MAY_RUN.includes(goal.status);
}

const MAY_RUN: readonly GoalRecord['status'][] = ['running', 'planned', 'interrupted'];
