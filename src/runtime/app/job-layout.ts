/**
 * What the Action's post step needs of the runtime: where a job's state lies and which goal ids
 * and branches are omk's. A module of its own (beside index.ts) because the post step runs in
 * every job that uses the Action: importing the index would load zod and the whole runtime before
 * its first line (test/action/startup.test.ts checks the bundle).
 */
import { GOAL_ID_PATTERN } from '../goal/ids.js';
import { goalBranchPrefix } from '../graph/branches.js';

export { GOAL_ID_PATTERN } from '../goal/ids.js';
export { goalsDir, privateStateDir, workspacesDir } from '../state/job-dirs.js';

/** The goal ids among a job's state directory names (goal directories, worktree roots). */
export function jobGoalIds(names: readonly string[]): string[] {
  return [...new Set(names)].filter((name) => GOAL_ID_PATTERN.test(name));
}

/**
 * The refs a job made, which its cleanup deletes: those that did not exist before it, under
 * refs/omk/ or a branch of a goal it worked on (omk/<goal-id>/…). Everything else is left alone.
 */
export function refsJobMade(
  refs: { before: readonly string[]; now: readonly string[] },
  goalIds: readonly string[],
): string[] {
  const before = new Set(refs.before);
  const prefixes = ['refs/omk/', ...goalIds.map((id) => `refs/heads/${goalBranchPrefix(id)}`)];
  return refs.now.filter((ref) => !before.has(ref) && prefixes.some((prefix) => ref.startsWith(prefix)));
}
