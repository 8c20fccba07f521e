import { StateError } from '../errors.js';
import type { GoalStore } from '../goal/store.js';
import { proofVersioned } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';

/**
 * Checks a goal just pulled from the state branch before anything acts on it. The branch is input
 * anyone with push access writes: a goal.json or proof.json that is not omk's shape, or an event
 * log with no event or with events missing (its numbers not 1, 2, 3, …), is refused here, naming
 * the file on the branch and what to do, rather than failing later with a path on this machine,
 * or being acted on (an events.jsonl replaced by a line of garbage was read as an empty history,
 * and the goal merged). A `planned` goal may have no event yet. Lines that do not parse between whole events are left out as everywhere
 * (a write torn by a crash is kept in the file when the next event is appended after it).
 */
export async function checkSharedGoal(store: GoalStore, goalId: string, commit: string): Promise<void> {
  const paths = store.paths(goalId);
  const where = `goals/${goalId}/`;
  const refuse = (why: string): never => {
    throw new StateError(
      `Goal ${goalId} on the state branch (commit ${commit.slice(0, 12)}) is not as omk writes it: ${why}`,
      {
        hint: `Nothing was changed or merged. See who wrote ${where} there (git log -p on the state branch), and push back the last commit omk made, or delete the goal.`,
      },
    );
  };
  // `<local path>: goal.json is not valid JSON.` names the file on the branch instead, and a
  // schema's list of problems is cut to its first.
  const named = (error: unknown): string => {
    const text = error instanceof Error ? error.message : String(error);
    const [first = '', ...rest] = text.split('\n');
    const said = first.replace(/^.*\/([^/]+): \1 /, `${where}$1 `);
    if (!said.endsWith(':')) return said;
    const issue = rest
      .slice(0, 2)
      .map((line) => line.trim())
      .join(' ');
    return `${said} ${issue}${rest.length > 2 ? ' (and more)' : ''}.`;
  };
  let goal: Awaited<ReturnType<GoalStore['read']>>;
  try {
    goal = await store.read(goalId);
    if (await store.files.exists(paths.proof)) await readVersioned(store.files, proofVersioned, paths.proof);
  } catch (error) {
    if (error instanceof StateError) refuse(named(error));
    throw error;
  }
  const { events } = await store.eventLog(goalId).read();
  // A goal is pushed once planned, its opening events written; a plan cut short is kept local.
  if (events.length === 0 && goal.status !== 'planned') refuse(`${where}events.jsonl holds no event.`);
  const gap = events.findIndex((event, i) => event.seq !== i + 1);
  if (gap !== -1) {
    refuse(`${where}events.jsonl has event #${events[gap]?.seq} where event #${gap + 1} belongs.`);
  }
}
