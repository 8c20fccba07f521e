import { executeGoal } from '../controller/execute.js';
import { fixTasks } from '../controller/fix-task.js';
import { ExecutionJournal } from '../controller/journal.js';
import { exhaustedLimit } from '../controller/scheduler.js';
import { readDeliveryAsWritten } from '../delivery/state.js';
import { IllegalTransitionError, NotFoundError, UsageError } from '../errors.js';
import type { GoalEvent } from '../events/schema.js';
import type { ChangeRequest, ReviewReplies } from '../forge/review-replies.js';
import { readEvents } from '../goal/queries.js';
import type { ProofStatus } from '../goal/schema.js';
import { fixTaskId } from '../graph/branches.js';
import type { FixTask } from '../graph/schema.js';
import type { Gap } from '../proof/schema.js';
import { type AgentChoice, type PreparedAgent, prepareAgent } from './agent.js';
import { composeController } from './controller.js';
import type { TargetRequest } from './delivery-target.js';
import { type AppDeps, inPhase } from './deps.js';
import { withFailureRecorded } from './execute.js';
import { DELIVERABLE_AFTER_FIX, finishFixes } from './fix-finish.js';
import type { FixReport } from './fix-reply.js';
import { refuseLeftovers } from './leftovers.js';
import type { WithheldNote } from './notes.js';

export type { ChangeRequest, ReviewReplies } from '../forge/review-replies.js';

export interface FixRequest extends Pick<TargetRequest, 'base' | 'fallbackBase'> {
  goalId: string;
  /** The omk PR (a slice PR or the integrator PR) the changes are asked on. */
  pr: number;
  requests: readonly ChangeRequest[];
  agent?: AgentChoice;
  prepared?: PreparedAgent;
  /** Absent: nothing is answered (the CLI's local forge has no threads). */
  replies?: ReviewReplies;
  signal?: AbortSignal;
}

export type FixOutcome =
  | { kind: 'already_handled'; requestIds: string[] }
  | {
      kind: 'applied' | 'failed';
      requestIds: string[];
      pr: number;
      /** The slice whose PR it is; null for the integrator PR. */
      sliceId: string | null;
      report: FixReport;
      proofStatus: ProofStatus;
      /** What the proof after the fix lacks (an integration conflict the fix made, its files named). */
      knownGaps: Gap[];
      /** Replies posted (one per request). */
      replied: number;
      /** Review threads resolved (only when the fix applied). */
      resolved: number;
      /** A person stopped the goal while its PRs were updated with the fix (`FixEnding.withheld`); else null. */
      withheld: WithheldNote | null;
    };

/**
 * The review/fix loop's one step: the changes asked on an omk PR become a fix task. The agent runs
 * on that PR's branch with the requests and the failing evidence in its prompt; its change is
 * committed on the branch, the goal is integrated and verified again (proof rebuilt), the PRs are
 * updated (the fix pushed, bodies, the omk/proof check run on the new head), and each request gets
 * an answer saying what changed; a review thread is resolved when the fix applied (not when it
 * failed). Requests already handled (a redelivered webhook) start nothing.
 */
export async function fixPullRequest(deps: AppDeps, request: FixRequest): Promise<FixOutcome> {
  const { goalId, pr } = request;
  const goal = await deps.store.read(goalId);
  const delivery = await readDeliveryAsWritten(deps.store.files, deps.store.paths(goalId).delivery);
  const pull = delivery?.pulls.find((p) => p.number === pr) ?? null;
  if (pull === null) {
    throw new NotFoundError(`PR #${pr} is not one of goal ${goalId}'s PRs.`, {
      hint: [
        'Open its PRs first with ',
        { step: 'open_pr', goalId },
        ', then ask for the fix on one of them.',
      ],
    });
  }
  const fresh = unhandled(request.requests, await handledRequestIds(deps, goalId));
  if (fresh.length === 0) return { kind: 'already_handled', requestIds: request.requests.map((r) => r.id) };
  if (!DELIVERABLE_AFTER_FIX.includes(goal.status)) {
    // Checked before any agent runs: verifying again would refuse such a goal after the fix.
    throw new IllegalTransitionError(
      `Goal ${goalId} is ${goal.status.replace(/_/g, ' ')}; its PRs take fixes only once it has settled as ready, not ready or failed.`,
      {
        hint:
          goal.status === 'paused'
            ? ['Resume it with ', { step: 'resume', goalId }, ', then ask again.']
            : undefined,
      },
    );
  }
  if (fresh.some((r) => r.text.trim() === '')) {
    throw new UsageError('A change request needs words saying what to change.');
  }
  const requestIds = fresh.map((r) => r.id);
  const journal = await ExecutionJournal.open(deps.store, goalId);
  // A fix task is charged to the goal's budget as a slice is: a spent budget runs no agent.
  const spent = exhaustedLimit(goal.budget, journal.spent);
  if (spent !== null) {
    throw new IllegalTransitionError(
      `Goal ${goalId}'s ${spent} budget is spent, so no agent runs to fix PR #${pr}.`,
      { hint: ['Extend it with ', { step: 'budget_add', goalId }, ', then ask for the fix again.'] },
    );
  }
  const prepared =
    request.prepared ?? (await prepareAgent(deps, goal.repo.root, request.agent ?? {}, goal.options.agent));
  const controller = await composeController(deps, goal, prepared);
  const fixNumber = await nextFixNumber(deps, journal);
  const task: FixTask = {
    id: fixTaskId(fixNumber),
    fix: fixNumber,
    pr,
    sliceId: pull.sliceId,
    requests: fresh.map((r) => ({
      id: r.id,
      text: r.text,
      path: r.path ?? null,
      line: r.line ?? null,
      author: r.author ?? null,
      replyTo: r.replyTo ?? null,
    })),
    status: 'pending',
    attempts: 0,
    result: null,
  };
  // The fix is a task of the goal's graph: the controller runs it on the PR's branch under its
  // lease, then integrates and verifies again (the proof rebuilt); a run that dies leaves it pending.
  journal.graph = { ...journal.graph, fixes: [...fixTasks(journal), task] };
  await journal.save([
    {
      type: 'fix_requested',
      data: { fix: fixNumber, taskId: task.id, pr, sliceId: pull.sliceId, requestIds },
    },
  ]);
  const verified = await inPhase(deps, `omk: fixing PR #${pr} of goal ${goalId}`, () =>
    executeGoal(controller, goalId, {
      untilReady: false,
      dispatch: false,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    }).then(withFailureRecorded(deps)),
  );
  await refuseLeftovers(deps, goalId);
  // Ends this fix (and any other this run ran): the PRs updated, the answers, the event.
  const endings = await finishFixes(deps, {
    goalId,
    interrupted: task.id,
    ...(request.replies === undefined ? {} : { replies: request.replies }),
    ...(request.base === undefined ? {} : { base: request.base }),
    ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
  });
  const ending = endings.find((e) => e.task.id === task.id);
  if (ending === undefined) throw new NotFoundError(`Fix ${task.id} of goal ${goalId} was not recorded.`);
  return {
    kind: ending.applied ? 'applied' : 'failed',
    requestIds,
    pr,
    sliceId: pull.sliceId,
    report: ending.report,
    proofStatus: verified.proof.status,
    knownGaps: verified.proof.knownGaps,
    replied: ending.replied,
    resolved: ending.resolved,
    withheld: ending.withheld,
  };
}

/**
 * The number after every fix the goal has: in its graph or asked in its events. The graph is
 * written before the events, so a `fix` killed between the two leaves a task with no
 * `fix_requested`: counting events alone gave the next fix that task's number (and id).
 */
async function nextFixNumber(deps: AppDeps, journal: ExecutionJournal): Promise<number> {
  const numbers = fixTasks(journal).map((fix) => fix.fix);
  for (const event of await fixEvents(deps, journal.goalId, 'fix_requested')) {
    if (typeof event.data.fix === 'number') numbers.push(event.data.fix);
  }
  return Math.max(0, ...numbers) + 1;
}

async function fixEvents(deps: AppDeps, goalId: string, type: string): Promise<GoalEvent[]> {
  return (await readEvents(deps.store, goalId)).events.filter((event) => event.type === type);
}

/** Request ids a fix was started for (a fix_requested event names them). */
async function handledRequestIds(deps: AppDeps, goalId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const event of await fixEvents(deps, goalId, 'fix_requested')) {
    const listed = event.data.requestIds;
    if (!Array.isArray(listed)) continue;
    for (const id of listed) if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

/** The requests not handled yet, each once (a review's comments may repeat in one payload). */
export function unhandled(requests: readonly ChangeRequest[], handled: ReadonlySet<string>): ChangeRequest[] {
  const seen = new Set(handled);
  return requests.filter((request) => {
    if (seen.has(request.id)) return false;
    seen.add(request.id);
    return true;
  });
}
