import type { MergeGoalResult } from '../delivery/merge.js';
import type { MergeMethod } from '../forge/port.js';
import { readOrigin } from '../goal/origin.js';
import { type MergeCheck, recheckMerge } from './merge.js';
import { mergeNote } from './notes.js';
import { onSharedGoalThen, type ThreadCheckout, type ThreadHost } from './thread-host.js';
import { mergeCheckStepPlan } from './thread-job.js';

/** A gated merge re-evaluated on a thread's host after a check, a status or a review changed. */
export interface ThreadMergeCheckRequest {
  goalId: string;
  /** The method to merge with (asked only when the merge is evaluated). */
  method: () => Promise<MergeMethod>;
}

export type ThreadMergeCheck =
  /** A run in this process evaluates the merge itself when it has delivered. */
  | { kind: 'running_here' }
  | { kind: 'not_shared' }
  /** Not gated, not ready, or no integrator PR yet: nobody to tell, nothing changed. */
  | { kind: 'not_evaluated'; why: Extract<MergeCheck, { evaluated: false }>['why']; detail: string }
  /** Evaluated; `shown` when the goal's thread (its origin) was told on its status. */
  | { kind: 'evaluated'; result: MergeGoalResult; shown: boolean };

/**
 * Exactly what `omk goal merge` does (mergeGoal → decideMerge), against the live state of the PR
 * the goal's delivery recorded, so a branch named like ours in a fork merges nothing; the verdict
 * goes on the status of the thread the goal came from.
 */
export async function checkMergeOnThread<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  request: ThreadMergeCheckRequest,
): Promise<ThreadMergeCheck> {
  const { goalId } = request;
  if (host.runs.has(goalId)) return { kind: 'running_here' };
  return onSharedGoalThen(
    host,
    goalId,
    mergeCheckStepPlan(goalId),
    async (ws) => recheckMerge(host.app(ws), goalId, await request.method()),
    async (step, ws): Promise<ThreadMergeCheck> => {
      if (step.kind === 'not_shared') return { kind: 'not_shared' };
      const check = step.value;
      if (!check.evaluated) return { kind: 'not_evaluated', why: check.why, detail: check.detail };
      const origin = await readOrigin(ws.store, goalId);
      if (origin !== null)
        await host.show(ws.store, goalId, 'settled', [mergeNote(check.result)], { issue: origin.issue });
      return { kind: 'evaluated', result: check.result, shown: origin !== null };
    },
  );
}
