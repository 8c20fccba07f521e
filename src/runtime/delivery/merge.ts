import type { RequireChecks } from '../config/schema.js';
import { IllegalTransitionError, NotFoundError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { GoalEvent } from '../events/schema.js';
import type { Forge, MergeMethod, PullRequest } from '../forge/port.js';
import { settleRecordedMerge } from '../goal/recorded-merge.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { assembleProof, rebuildProof } from '../proof/assemble.js';
import { verifyProofDigest } from '../proof/digest.js';
import { type Proof, proofVersioned } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';
import { decideMerge, PROOF_CHECK } from './merge-decision.js';
import type { MergeRefusal } from './merge-remedies.js';
import { readProofBlock } from './proof-block.js';
import { proofCheckProblems } from './proof-check.js';
import { proofIntegrityProblems } from './proof-integrity.js';
import { squashMessage } from './squash-message.js';
import { readDelivery } from './state.js';
import { recheckLocked, tamperedMergeReasons } from './state-recheck.js';

export interface MergeOptions {
  method: MergeMethod;
  enforceProtection: boolean;
  /** `merge.requireChecks`; the local forge has no CI, so there it is always `none`. */
  requireChecks?: RequireChecks;
}

export type MergeGoalResult =
  | {
      merged: true;
      sha: string;
      pr: number;
      proof: Proof;
      /** The forge had merged it, but omk had not recorded it yet (a merge cut short): recorded now. */
      recovered?: true;
    }
  | {
      merged: false;
      blockedBy: MergeRefusal;
      reasons: { blocker: string; detail: string }[];
      pr: number;
    };

/** What `merge_requested` records just before the forge is asked to merge. */
interface MergeIntent {
  pr: number;
  sha: string;
  method: MergeMethod;
}

/** The last merge omk asked the forge for on this PR at this head, if any. */
function intentFor(events: readonly GoalEvent[], pr: PullRequest): MergeIntent | null {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (event?.type !== 'merge_requested') continue;
    const { pr: number, sha, method } = event.data;
    if (number !== pr.number || sha !== pr.headSha) continue;
    const known = method === 'squash' || method === 'rebase' ? method : 'merge';
    return { pr: number, sha, method: known };
  }
  return null;
}

/**
 * Gated merge of the integrator PR: evaluates every condition against the forge's live state and
 * merges pinned to the evaluated head. A refusal is a returned outcome with its reasons, recorded
 * as an event; only a real merge marks the goal merged.
 *
 * Crash-safe: the intent (`merge_requested`, the PR and the pinned head) is recorded before the
 * forge is asked. A later call that finds the PR merged at that head records the merge the forge
 * made (`goal_merged`, its merge commit) instead of refusing a PR that is no longer open; it never
 * merges a second time. A PR merged with no such intent was merged outside omk, and is reported so.
 */
export async function mergeGoal(
  deps: { store: GoalStore; forge: Forge },
  goalId: string,
  options: MergeOptions,
): Promise<MergeGoalResult> {
  const { store, forge } = deps;
  const paths = store.paths(goalId);
  const { goal, merge, settled: caughtUp } = await settleRecordedMerge(store, goalId);
  if (caughtUp && merge !== null) {
    // Killed after recording the merge and before goal.json said so: the merge stands, recorded once.
    const events = new EventLog(store.files, paths.events, store.deps.clock, store.deps.host);
    return {
      merged: true,
      sha: merge.sha,
      pr: merge.pr,
      proof: await assembleProof(store, goal, events),
      recovered: true,
    };
  }
  refuseSettled(goal.status, goalId);
  const delivery = await readDelivery(store.files, paths.delivery, forge);
  const integrator = delivery.pulls.find((pull) => pull.sliceId === null);
  if (!integrator) {
    throw new NotFoundError(`Goal ${goalId} has no integrator PR yet.`, {
      hint: ['Open it first with ', { step: 'open_pr', goalId }, '.'],
    });
  }
  const events = new EventLog(store.files, paths.events, store.deps.clock, store.deps.host);
  const pr = await forge.getPullRequest(integrator.number);
  // A refusal is evidence too: the proof shows what the forge said and why nothing was merged.
  const recordRefusal = (reasons: { blocker: string; detail: string }[], observed: object = {}) =>
    store.withGoalLock(goalId, async () => {
      await events.append([
        { type: 'merge_evaluated', data: { pr: pr.number, merge: false, reasons, ...observed } },
      ]);
      await rebuildProof(store, await store.read(goalId), events);
    });
  const recordMerged = async (sha: string, method: MergeMethod, recovered: boolean) =>
    store.withGoalLock(goalId, async () => {
      const current = await store.read(goalId);
      // Two front doors settling the same merge: the first one records it, once.
      if (current.status === 'merged') return { proof: await assembleProof(store, current, events), sha };
      await events.append([
        {
          type: 'goal_merged',
          data: {
            pr: pr.number,
            sha,
            target: pr.base,
            method,
            ...(recovered ? { recovered: true } : {}),
          },
        },
      ]);
      const written = await store.write({ ...current, status: 'merged' });
      return { proof: await rebuildProof(store, written, events), sha };
    });
  const settled = async (merged: PullRequest): Promise<MergeGoalResult | null> => {
    if (merged.state !== 'merged') return null;
    const intent = intentFor((await events.read()).events, merged);
    if (intent === null) return null;
    const done = await recordMerged(merged.mergeSha ?? '', intent.method, true);
    return { merged: true, sha: done.sha, pr: pr.number, proof: done.proof, recovered: true };
  };

  const recovered = await settled(pr);
  if (recovered) return recovered;
  if (pr.state === 'merged') {
    const reasons = [{ blocker: 'merged_outside_omk', detail: mergedOutsideDetail(pr) }];
    await recordRefusal(reasons);
    return { merged: false, blockedBy: 'merged_outside_omk', reasons, pr: pr.number };
  }

  const proof = await readVersioned(store.files, proofVersioned, paths.proof);
  // Nothing read is trusted: the verdict is rebuilt from the evidence and checked against
  // proof.json and the PR's proof block; the decision is made on the rebuilt proof.
  const rebuilt = await assembleProof(store, goal, events);
  const [listed, protection] = await Promise.all([forge.checks(pr.headSha), forge.branchProtection(pr.base)]);
  const checks = listed.states;
  // On GitHub the verdict must also be the one omk's own identity published for this head: its
  // omk/proof runs come from the same listing.
  const proofRuns = listed.runs.filter((run) => run.name === PROOF_CHECK);
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
    proofCheckProblems:
      forge.checkAppId === null
        ? []
        : proofCheckProblems({
            runs: proofRuns,
            appId: forge.checkAppId,
            rebuilt,
            headSha: pr.headSha,
            shownDigest: shownDigest(pr.body),
          }),
    pr,
    checks,
    requireChecks: forge.kind === 'local' ? 'none' : (options.requireChecks ?? 'auto'),
    protection,
    reviews,
    enforceProtection: options.enforceProtection,
  });
  const observed = { checks: checks.map(({ name, state }) => ({ name, state })), reviews };
  if (!decision.merge) {
    await recordRefusal(decision.reasons, observed);
    return { merged: false, blockedBy: decision.blockedBy, reasons: decision.reasons, pr: pr.number };
  }
  // The verdict and the intent land before the forge is asked: a merge cut short after the forge
  // made it is found by the next call, never attempted twice. Right before, the goal's evidence is
  // compared once more with what this process's controller wrote (an edit since the proof).
  const tampered = await store.withGoalLock(goalId, async () => {
    refuseSettled((await store.read(goalId)).status, goalId);
    const found = await recheckLocked(store, goalId, 'the merge');
    if (found.length > 0) return found;
    await events.append([
      {
        type: 'merge_evaluated',
        data: { pr: pr.number, merge: true, sha: decision.sha, reasons: [], ...observed },
      },
      { type: 'merge_requested', data: { pr: pr.number, sha: decision.sha, method: options.method } },
    ]);
    return [];
  });
  if (tampered.length > 0) {
    const reasons = tamperedMergeReasons(tampered);
    await recordRefusal(reasons, observed);
    return { merged: false, blockedBy: 'state_tampered', reasons, pr: pr.number };
  }
  const outcome = await forge.merge(pr.number, decision.sha, options.method, squashMessage(pr, goalId));
  if (!outcome.merged) {
    // A merge retried after its answer was lost is refused (the PR is closed): the PR tells.
    const after = await settled(await forge.getPullRequest(pr.number));
    if (after) return after;
    const reasons = [{ blocker: outcome.reason, detail: outcome.detail }];
    await recordRefusal(reasons, observed);
    return { merged: false, blockedBy: outcome.reason, reasons, pr: pr.number };
  }
  const done = await recordMerged(outcome.sha, options.method, false);
  return { merged: true, sha: done.sha, pr: pr.number, proof: done.proof };
}

/** The digest of the proof the PR body's one valid block shows; null when there is none. */
function shownDigest(body: string): string | null {
  const block = readProofBlock(body);
  return block.found && block.valid ? block.digest : null;
}

function refuseSettled(status: GoalRecord['status'], goalId: string): void {
  if (status === 'merged') {
    throw new IllegalTransitionError(`Goal ${goalId} is already merged.`, {
      hint: ['See ', { step: 'proof', goalId }, '.'],
    });
  }
  if (status === 'cancelled' || status === 'rejected') {
    throw new IllegalTransitionError(`Cannot merge goal ${goalId}: it is ${status}.`, {
      hint: 'A cancelled or rejected goal is never merged. Start a new goal.',
    });
  }
}

/** Merged, but not by omk: no merge was requested at this head, so it is not recorded as omk's. */
function mergedOutsideDetail(pr: PullRequest): string {
  const commit = pr.mergeSha ? ` as ${pr.mergeSha}` : '';
  return (
    `PR #${pr.number} was merged outside omk${commit} (head ${pr.headSha}); omk requested no merge ` +
    'of that head, so the goal is not recorded as merged by omk'
  );
}
