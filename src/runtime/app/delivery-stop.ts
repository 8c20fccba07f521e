import { stopsDelivery } from '../delivery/deliver.js';
import { adoptRemoteChanges, peekRemoteStop } from '../goal/remote-changes.js';
import type { DeliveryPolicy, GoalStatus } from '../goal/schema.js';
import { readOrAssembleProof, rebuildProof } from '../proof/assemble.js';
import type { AppDeps } from './deps.js';
import type { WithheldNote } from './notes.js';

/**
 * The look every front door's delivery takes before it starts, before each PR and before the
 * gated merge: a pause or cancel written on the state branch (the bot, another job) is brought
 * into the local goal first, then the goal's status says whether a person stopped it since the
 * delivery began (`since`; null before it began). Returns the status that stops it, or null.
 */
export async function stoppedSince(
  deps: Pick<AppDeps, 'store' | 'shared'>,
  goalId: string,
  since: GoalStatus | null,
): Promise<GoalStatus | null> {
  if (deps.shared !== undefined) await adoptRemoteChanges(deps.store, deps.shared.remote, goalId);
  const now = (await deps.store.read(goalId)).status;
  return stopsDelivery(since, now) ? now : null;
}

/**
 * `stoppedSince` for a dry run, which writes nothing: a pause or cancel on the state branch is read
 * and not brought into the local goal (the real run brings it in, and records it there).
 */
export async function stopSeenSince(
  deps: Pick<AppDeps, 'store' | 'shared'>,
  goalId: string,
  since: GoalStatus | null,
): Promise<GoalStatus | null> {
  const remote =
    deps.shared === undefined ? null : await peekRemoteStop(deps.store, deps.shared.remote, goalId);
  const now = remote ?? (await deps.store.read(goalId)).status;
  return stopsDelivery(since, now) ? now : null;
}

/**
 * A delivery a person stopped (before it began or part-way) as the event `delivery_withheld`
 * records it: the status that stopped it, the numbers of the goal's PRs that exist (opened before
 * the stop, they stay open) and what was `withheld`: the PRs not opened (slice ids, `integrator`),
 * `merge`, or `delivery` (all of it, stopped before it began), and the policy it delivered by (the
 * goal's, unless open-pr was told another). Read only: a dry run says it with this and writes nothing.
 */
export async function withheldNote(
  deps: Pick<AppDeps, 'store'>,
  goalId: string,
  status: GoalStatus,
  withheld: string[],
  policy?: DeliveryPolicy,
): Promise<WithheldNote> {
  const goal = await deps.store.read(goalId);
  const events = deps.store.eventLog(goalId);
  const opened = (await readOrAssembleProof(deps.store, goal, events)).delivery.pullRequests.map(
    (p) => p.number,
  );
  return { code: 'withheld', status, policy: policy ?? goal.options.policy, opened, withheld };
}

/**
 * The stopped delivery (`withheldNote`) written as the event `delivery_withheld`; the proof is
 * rebuilt so `goal status` shows it; the note says it to whoever ran the delivery.
 */
export async function recordWithheld(
  deps: Pick<AppDeps, 'store'>,
  goalId: string,
  status: GoalStatus,
  withheld: string[],
  policy?: DeliveryPolicy,
): Promise<WithheldNote> {
  const note = await withheldNote(deps, goalId, status, withheld, policy);
  const data = { status, policy: note.policy, opened: note.opened, withheld };
  const events = deps.store.eventLog(goalId);
  await deps.store.withGoalLock(goalId, async () => {
    await events.append([{ type: 'delivery_withheld', data }]);
    await rebuildProof(deps.store, await deps.store.read(goalId), events);
  });
  return note;
}
