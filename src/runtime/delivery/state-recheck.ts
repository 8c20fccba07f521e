import { readExecution, withStateGaps, writeExecution } from '../controller/execution-state.js';
import { PolicyViolationError } from '../errors.js';
import type { GoalStore } from '../goal/store.js';
import { tamperingGaps } from '../integrity/findings.js';
import { rebuildProof } from '../proof/assemble.js';
import type { Tampering } from '../state/witness.js';

// The controller compares its goal's evidence with what it wrote and saw after every run and
// before the proof (`state/witness.ts`); delivery follows the proof, so an edit made in between
// (by a process an agent left behind) would reach a PR body, a check run or a merge unseen. These
// are the same comparison once more, right before delivery pushes anything and before a merge asks
// the forge. A process that never controlled the goal (a later `merge` command) holds nothing of
// it in memory: it finds nothing here and rebuilds the proof from the files, as before.

/** What was found, as the file and what happened to it ("events.jsonl rewritten …"). */
function named(found: readonly Tampering[]): string {
  return found.map((t) => `${t.file} ${t.what}`).join('; ');
}

/**
 * Compares goal `goalId`'s evidence with what this process's controller wrote and saw, by content.
 * A difference is recorded as for-good `state_tampered` gaps in execution.json, a `ready` goal
 * becomes `not_ready` and its proof is rebuilt so; the differences are returned. The caller holds
 * the goal's lock.
 */
export async function recheckLocked(store: GoalStore, goalId: string, before: string): Promise<Tampering[]> {
  const found = await store.verifyGoal(goalId, { byContent: true });
  if (found.length === 0) return [];
  const paths = store.paths(goalId);
  const gaps = tamperingGaps(found, [], `after the proof was built, before ${before}`);
  await writeExecution(
    store.files,
    paths.execution,
    withStateGaps(await readExecution(store.files, paths.execution), gaps),
  );
  const goal = await store.read(goalId);
  const now = goal.status === 'ready' ? await store.write({ ...goal, status: 'not_ready' }) : goal;
  await rebuildProof(store, now, store.eventLog(goalId));
  return found;
}

/**
 * Right before delivery pushes anything: refuses (a `PolicyViolationError` naming the files) when
 * the goal's evidence changed since the proof, which then says `not_ready`; nothing is delivered.
 */
export async function refuseTamperedDelivery(store: GoalStore, goalId: string): Promise<void> {
  const found = await store.withGoalLock(goalId, () => recheckLocked(store, goalId, 'delivery'));
  if (found.length === 0) return;
  throw new PolicyViolationError(
    `Goal ${goalId} was not delivered: its state changed after its proof was built (${named(found)}), by something other than omk. Its proof is now not_ready with a state_tampered gap; nothing was pushed.`,
    {
      hint: "Look for a process an agent left running that writes omk's state root; start a new goal for this work once none is left.",
    },
  );
}

/** The reasons a merge refused for a change found right before it. */
export function tamperedMergeReasons(found: readonly Tampering[]): { blocker: string; detail: string }[] {
  return found.map((t) => ({
    blocker: 'state_tampered',
    detail: `${t.file} of this goal was ${t.what} after its proof was built, by something other than omk`,
  }));
}
