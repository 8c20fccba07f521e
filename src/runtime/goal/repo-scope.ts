import { NotFoundError } from '../errors.js';
import type { GoalRecord } from './schema.js';

/**
 * The repository a command runs in, as a front door found it: `latest`, a missing GOAL_ID and an
 * id prefix name only its goals. The default state root is per user, shared by every repository,
 * so without it `latest` in one repository could name (and merge) another's goal. A whole id
 * names its goal wherever it is: the user typed it.
 */
export interface RepoScope {
  /** The real path of the repository's top level, as a goal's `repo.root` records it. */
  root: string;
  /**
   * Whether a goal made at `goalRoot` (its `repo.root`) is of this repository: made here, or in
   * a linked worktree of it (the same shared `.git`).
   */
  holds(goalRoot: string): boolean;
}

/** The goals of `scope`'s repository among `goals` (all of them with no scope: outside any repository). */
export function goalsIn(goals: readonly GoalRecord[], scope: RepoScope | null): GoalRecord[] {
  return scope === null ? [...goals] : goals.filter((goal) => scope.holds(goal.repo.root));
}

/** `goal`'s repository when it is not `scope`'s (a goal named by its whole id from elsewhere), else null. */
export function otherRepository(goal: GoalRecord, scope: RepoScope | null): string | null {
  return scope === null || scope.holds(goal.repo.root) ? null : goal.repo.root;
}

/**
 * Why `wanted` (`latest` or a prefix) names no goal of `scope`'s repository when `every` goal of
 * the state root (none of them its) is listed: what the other repositories hold, and how to name it.
 */
export function noGoalHere(scope: RepoScope, wanted: string, every: readonly GoalRecord[]): NotFoundError {
  if (wanted === 'latest') {
    const others =
      every.length === 1
        ? '1 goal of another repository is'
        : `${every.length} goals of other repositories are`;
    return new NotFoundError(`No goal in the repository ${scope.root} yet; ${others} in this state root.`, {
      hint: [
        'Start one here with ',
        { step: 'run' },
        ', list every goal with ',
        { step: 'list_all' },
        ', or name one by its whole id.',
      ],
    });
  }
  const elsewhere = every.filter((goal) => goal.id.startsWith(wanted));
  if (elsewhere.length === 0)
    return new NotFoundError(`No goal '${wanted}'.`, { hint: ['List goals with ', { step: 'list' }, '.'] });
  return new NotFoundError(
    `No goal in the repository ${scope.root} starts with '${wanted}'; of other repositories: ${elsewhere.map((goal) => goal.id).join(', ')}.`,
    { hint: ['Name one by its whole id, or list every goal with ', { step: 'list_all' }, '.'] },
  );
}
