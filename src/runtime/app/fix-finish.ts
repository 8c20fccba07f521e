import { fixTasks } from '../controller/fix-task.js';
import { ExecutionJournal } from '../controller/journal.js';
import { failingGates } from '../controller/slice.js';
import { readEvents, readProof } from '../goal/queries.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import type { FixTask } from '../graph/schema.js';
import type { TargetRequest } from './delivery-target.js';
import type { AppDeps } from './deps.js';
import type { ChangeRequest, ReviewReplies } from './fix.js';
import { type FixReport, fixReply } from './fix-reply.js';
import type { WithheldNote } from './notes.js';
import { openPullRequests } from './open-pr.js';

/** Statuses after which a fixed goal's PRs show the fix (verifying again settled it as one of these). */
export const DELIVERABLE_AFTER_FIX: readonly GoalStatus[] = ['ready', 'not_ready', 'failed'];

/** How one fix task ended: what its answers said and how many were posted. */
export interface FixEnding {
  task: FixTask;
  report: FixReport;
  applied: boolean;
  replied: number;
  resolved: number;
  /**
   * A person stopped (paused, cancelled, rejected) the goal while its PRs were updated with the fix:
   * what stays open and what was not opened or updated (`delivery_withheld`); the fix is then not
   * delivered. Else null.
   */
  withheld: WithheldNote | null;
}

export interface FinishFixesRequest extends Pick<TargetRequest, 'base' | 'fallbackBase'> {
  goalId: string;
  /**
   * Where the answers go; absent: the goal's forge's own (`Forge.replies`: GitHub's review
   * threads, whichever run ends the fix), and nowhere on a forge without threads (the local forge).
   */
  replies?: ReviewReplies;
  /** The PRs were updated after this run already (a delivery by policy): not again. */
  delivered?: boolean;
  /** A fix task of this run still pending (interrupted) ends too, saying so; others wait. */
  interrupted?: string;
}

/**
 * Ends every fix task of the goal that ran but was not ended yet, whichever run ran it (the
 * `fix` that asked for it, or a resume after its controller died): the PRs updated when the fix
 * is on the branch, each request answered, the review threads of an applied fix resolved, and
 * `fix_applied` or `fix_failed` recorded. The event is written before the answers, so a second
 * resume or a redelivered event never answers twice.
 */
export async function finishFixes(deps: AppDeps, request: FinishFixesRequest): Promise<FixEnding[]> {
  const { goalId } = request;
  const ran = fixTasks(await ExecutionJournal.open(deps.store, goalId)).filter(
    (fix) => fix.status === 'done' || fix.status === 'failed' || fix.id === request.interrupted,
  );
  // Most goals have no fix task: the event log is read only when one ran.
  if (ran.length === 0) return [];
  const ended = await endedFixes(deps, goalId);
  const open = ran.filter((fix) => !ended.has(fix.fix));
  if (open.length === 0) return [];
  const goal = await deps.store.read(goalId);
  let delivered = request.delivered === true;
  let withheld: WithheldNote | null = null;
  // The fix is on the branch (or the agent reached outside its worktree, which its proof must say):
  // every PR of the goal shows it and what its proof says, whatever it says.
  const shows = open.some(
    (fix) => fix.result !== null && (fix.result.headSha !== null || fix.result.untrusted),
  );
  if (!delivered && shows && DELIVERABLE_AFTER_FIX.includes(goal.status)) {
    const opened = await openPullRequests(deps, {
      goalId,
      dryRun: false,
      ...(request.base === undefined ? {} : { base: request.base }),
      ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
    });
    withheld = opened.dryRun ? null : opened.withheld;
    // Stopped part-way by a person: not every PR shows the fix, so it is not delivered.
    delivered = withheld === null;
  }
  const proof = (await readProof(deps.store, goalId)).proof;
  const replies = request.replies ?? (await forgeReplies(deps, goal));
  const endings: FixEnding[] = [];
  for (const task of open) {
    const result = task.result;
    const report: FixReport = {
      pr: task.pr,
      headSha: result?.headSha ?? null,
      changedFiles: result?.changedFiles ?? [],
      agentFailure:
        result?.agentFailure ?? (task.status === 'pending' ? 'interrupted before it finished' : null),
      refused: result?.refused ?? [],
      proofStatus: proof.status,
      failing: failingGates(proof.gates).map((gate) => gate.name),
      delivered: delivered && DELIVERABLE_AFTER_FIX.includes(goal.status),
      ...(withheld === null ? {} : { stoppedAs: withheld.status }),
    };
    const applied = report.headSha !== null && report.proofStatus === 'ready' && report.delivered;
    const requestIds = task.requests.map((r) => r.id);
    const journal = await ExecutionJournal.open(deps.store, goalId);
    await journal.save([
      {
        type: applied ? 'fix_applied' : 'fix_failed',
        data: {
          fix: task.fix,
          pr: task.pr,
          requestIds,
          headSha: report.headSha,
          proof: report.proofStatus,
          ...(applied ? {} : { why: whyFailed(report) }),
          // An interrupted fix runs again on resume, and ends again then.
          ...(task.status === 'pending' ? { interrupted: true } : {}),
        },
      },
    ]);
    const asked: ChangeRequest[] = task.requests.map((r) => ({ ...r }));
    const replied = await answer(deps, replies, task.pr, asked, fixReply(report));
    const resolved =
      applied && replies !== undefined ? await resolveThreads(deps, replies, task.pr, asked) : 0;
    endings.push({ task, report, applied, replied, resolved, withheld });
  }
  return endings;
}

/**
 * The goal's forge's answerer, for a run whose front door passed none (the CLI's resume, the
 * Action's continued run). A forge that cannot be made answers nowhere, with a warning: the fix's
 * event stands either way.
 */
async function forgeReplies(deps: AppDeps, goal: GoalRecord): Promise<ReviewReplies | undefined> {
  try {
    return (await deps.forge(goal)).replies;
  } catch (error) {
    deps.reporter.warn(
      `could not reach the forge to answer goal ${goal.id}'s review fixes: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

/** Fix numbers a `fix_applied` or `fix_failed` event ended (an interrupted run's does not). */
async function endedFixes(deps: AppDeps, goalId: string): Promise<Set<number>> {
  const ended = new Set<number>();
  for (const event of (await readEvents(deps.store, goalId)).events) {
    if (event.type !== 'fix_applied' && event.type !== 'fix_failed') continue;
    if (event.data.interrupted === true || typeof event.data.fix !== 'number') continue;
    ended.add(event.data.fix);
  }
  return ended;
}

async function answer(
  deps: AppDeps,
  replies: ReviewReplies | undefined,
  pr: number,
  requests: readonly ChangeRequest[],
  body: string,
): Promise<number> {
  if (replies === undefined) return 0;
  let replied = 0;
  for (const change of requests) {
    try {
      await replies.reply(pr, change, body);
      replied += 1;
    } catch (error) {
      deps.reporter.warn(
        `could not answer ${change.id} on PR #${pr}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return replied;
}

/** The review threads the requests opened are resolved: the fix is in. A failure only warns. */
async function resolveThreads(
  deps: AppDeps,
  replies: ReviewReplies,
  pr: number,
  requests: readonly ChangeRequest[],
): Promise<number> {
  if (replies.resolve === undefined) return 0;
  let resolved = 0;
  for (const change of requests) {
    if (change.replyTo === undefined || change.replyTo === null) continue;
    try {
      await replies.resolve(pr, change);
      resolved += 1;
    } catch (error) {
      deps.reporter.warn(
        `could not resolve the review thread of ${change.id} on PR #${pr}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return resolved;
}

function whyFailed(report: FixReport): string {
  if (report.agentFailure !== null) return `agent: ${report.agentFailure}`;
  if (report.refused !== undefined && report.refused.length > 0)
    return `refused by review: ${report.refused.join(' ')}`;
  if (report.headSha === null) return 'no change';
  if (report.stoppedAs !== undefined) return `goal ${report.stoppedAs} during its delivery: not delivered`;
  if (!report.delivered) return `goal ${report.proofStatus}: not delivered`;
  return `proof ${report.proofStatus}${report.failing.length > 0 ? `: ${report.failing.join(', ')} fail` : ''}`;
}
