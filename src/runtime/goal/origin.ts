import { appendDecisions, readDecisions } from '../state/decisions.js';
import type { GoalStore } from './store.js';

/**
 * Where a goal came from (the thread and the person), kept with the goal as a decision so every
 * later event — a merge on a green check hours later, in another process — finds its status
 * comment. A first-class `origin` on goal.json (set from the create request) would be better.
 */
export interface GoalOrigin {
  issue: number;
  login: string;
}

const ORIGIN_KIND = 'origin';

export async function recordOrigin(
  store: GoalStore,
  goalId: string,
  origin: GoalOrigin & { repo: string; commentId: number },
): Promise<void> {
  await store.withGoalLock(goalId, () =>
    appendDecisions(store.files, store.paths(goalId).decisions, store.deps.clock, [
      {
        kind: ORIGIN_KIND,
        decision: `${origin.repo}#${origin.issue}`,
        reason: `started from GitHub comment ${origin.commentId} by @${origin.login}`,
      },
    ]),
  );
}

export async function readOrigin(store: GoalStore, goalId: string): Promise<GoalOrigin | null> {
  const decisions = await readDecisions(store.files, store.paths(goalId).decisions);
  const origin = decisions.find((decision) => decision.kind === ORIGIN_KIND);
  const issue = origin ? /#(\d+)$/.exec(origin.decision)?.[1] : undefined;
  const login = origin ? /by @([A-Za-z0-9-]+(?:\[bot\])?)$/.exec(origin.reason)?.[1] : undefined;
  if (issue === undefined || login === undefined) return null;
  return { issue: Number(issue), login };
}
