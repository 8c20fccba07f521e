import { IllegalTransitionError, NotFoundError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { Forge, MergeMethod } from '../forge/port.js';
import type { GoalStore } from '../goal/store.js';
import { assembleProof, rebuildProof } from '../proof/assemble.js';
import { verifyProofDigest } from '../proof/digest.js';
import { type Proof, proofVersioned } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';
import { decideMerge, type MergeBlocker } from './merge-decision.js';
import { proofIntegrityProblems } from './proof-integrity.js';
import { readDelivery } from './state.js';

export interface MergeOptions {
  method: MergeMethod;
  enforceProtection: boolean;
}

export type MergeGoalResult =
  | { merged: true; sha: string; pr: number; proof: Proof }
  | {
      merged: false;
      blockedBy: MergeBlocker | 'head_moved' | 'not_mergeable';
      reasons: { blocker: string; detail: string }[];
      pr: number;
    };

/**
 * Gated merge of the integrator PR: evaluates every condition against the forge's live state and
 * merges pinned to the evaluated head. A refusal is a returned outcome with its reasons, recorded
 * as an event; only a real merge marks the goal merged.
 */
export async function mergeGoal(
  deps: { store: GoalStore; forge: Forge },
  goalId: string,
  options: MergeOptions,
): Promise<MergeGoalResult> {
  const { store, forge } = deps;
  const paths = store.paths(goalId);
  const goal = await store.read(goalId);
  if (goal.status === 'merged') {
    throw new IllegalTransitionError(`Goal ${goalId} is already merged.`, {
      hint: ['See ', { step: 'proof', goalId }, '.'],
    });
  }
  if (goal.status === 'cancelled' || goal.status === 'rejected') {
    throw new IllegalTransitionError(`Cannot merge goal ${goalId}: it is ${goal.status}.`, {
      hint: 'A cancelled or rejected goal is never merged. Start a new goal.',
    });
  }
  const delivery = await readDelivery(paths.delivery, forge);
  const integrator = delivery.pulls.find((pull) => pull.sliceId === null);
  if (!integrator) {
    throw new NotFoundError(`Goal ${goalId} has no integrator PR yet.`, {
      hint: ['Open it first with ', { step: 'open_pr', goalId }, '.'],
    });
  }
  const proof = await readVersioned(proofVersioned, paths.proof);
  const events = new EventLog(paths.events, store.deps.clock);
  // Nothing read is trusted: the verdict is rebuilt from the evidence and checked against
  // proof.json and the PR's proof block; the decision is made on the rebuilt proof.
  const rebuilt = await assembleProof(store, goal, events);
  const pr = await forge.getPullRequest(integrator.number);
  const [checks, protection] = await Promise.all([forge.checks(pr.headSha), forge.branchProtection(pr.base)]);
  // Reviews are read only where the base requires them, as GitHub enforces them only there.
  const reviews =
    (protection?.requiredApprovals ?? 0) > 0
      ? await forge.reviews(pr.number)
      : { approvals: 0, changesRequested: false };
  const decision = decideMerge({
    policy: goal.options.mergePolicy,
    proof: rebuilt,
    proofDigestValid: verifyProofDigest(proof),
    proofProblems: proofIntegrityProblems(proof, rebuilt, pr.body),
    pr,
    checks,
    protection,
    reviews,
    enforceProtection: options.enforceProtection,
  });
  const observed = { checks: checks.map(({ name, state }) => ({ name, state })), reviews };
  // A refusal is evidence too: the proof shows what the forge said and why nothing was merged.
  const recordRefusal = (reasons: { blocker: string; detail: string }[]) =>
    store.withGoalLock(goalId, async () => {
      await events.append([
        { type: 'merge_evaluated', data: { pr: pr.number, merge: false, reasons, ...observed } },
      ]);
      await rebuildProof(store, await store.read(goalId), events);
    });
  if (!decision.merge) {
    await recordRefusal(decision.reasons);
    return { merged: false, blockedBy: decision.blockedBy, reasons: decision.reasons, pr: pr.number };
  }
  const outcome = await forge.merge(pr.number, decision.sha, options.method);
  if (!outcome.merged) {
    const reasons = [{ blocker: outcome.reason, detail: outcome.detail }];
    await recordRefusal(reasons);
    return { merged: false, blockedBy: outcome.reason, reasons, pr: pr.number };
  }
  const merged = await store.withGoalLock(goalId, async () => {
    await events.append([
      {
        type: 'merge_evaluated',
        data: { pr: pr.number, merge: true, sha: decision.sha, reasons: [], ...observed },
      },
      {
        type: 'goal_merged',
        data: { pr: pr.number, sha: outcome.sha, target: pr.base, method: options.method },
      },
    ]);
    const current = await store.read(goalId);
    const written = await store.write({ ...current, status: 'merged' });
    return rebuildProof(store, written, events);
  });
  return { merged: true, sha: outcome.sha, pr: pr.number, proof: merged };
}
