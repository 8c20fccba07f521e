import { OmkError } from '../errors.js';
import { goalsIn, otherRepository, type RepoScope } from '../goal/repo-scope.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';

/**
 * The goal `ref` names (`latest` when left out) for a command run in `scope`'s repository (null:
 * outside any, every goal counts): `latest` and a prefix among this repository's goals, a whole id
 * wherever its goal is, with a note naming the repository when it is another one's.
 */
export async function resolveGoal(
  store: GoalStore,
  ref: string | undefined,
  scope: RepoScope | null,
): Promise<string> {
  const goalId = await store.resolve(ref, scope);
  if (scope === null) return goalId;
  let goal: GoalRecord;
  try {
    goal = await store.read(goalId);
  } catch (error) {
    // A damaged or newer goal.json: the command reports it as it reads the goal.
    if (error instanceof OmkError) return goalId;
    throw error;
  }
  const other = otherRepository(goal, scope);
  if (other !== null)
    store.deps.reporter.info(`goal ${goalId} is of the repository ${other}, not of ${scope.root}`);
  return goalId;
}

/** What `goal list` shows: the goals it lists, and how many others the state root holds. */
export interface GoalList {
  goals: GoalRecord[];
  /** The repository the list was asked in (null: outside any). */
  scope: RepoScope | null;
  /** Goals of other repositories left out (0 with `all`). */
  leftOut: number;
}

/** This repository's goals, newest first (every goal with `all`, or outside any repository). */
export async function listGoals(store: GoalStore, scope: RepoScope | null, all: boolean): Promise<GoalList> {
  const every = await store.list();
  const goals = all ? every : goalsIn(every, scope);
  return { goals, scope, leftOut: every.length - goals.length };
}
