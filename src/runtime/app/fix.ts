import { join } from 'node:path';
import { renderFixPrompt } from '../agents/fix-prompt.js';
import { describeChecks } from '../controller/attempt-failure.js';
import { checkedAgentRun } from '../controller/checked-agent.js';
import { checkedGates } from '../controller/checked-gates.js';
import { type ControllerDeps, createRunContext } from '../controller/context.js';
import { executeGoal } from '../controller/execute.js';
import { agentRunRecord, sliceRecord, withSlice } from '../controller/execution-state.js';
import { ExecutionJournal } from '../controller/journal.js';
import { prepareWorkspace } from '../controller/prepare.js';
import { exhaustedLimit } from '../controller/scheduler.js';
import { failingGates } from '../controller/slice.js';
import { readDeliveryAsWritten } from '../delivery/state.js';
import { AgentUnavailableError, IllegalTransitionError, NotFoundError, UsageError } from '../errors.js';
import type { GoalEvent } from '../events/schema.js';
import { readEvents, readProof } from '../goal/queries.js';
import type { GoalRecord, GoalStatus, ProofStatus } from '../goal/schema.js';
import { integrationBranchName } from '../graph/branches.js';
import { dependencyWaves } from '../graph/order.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import type { ChangedFile, SliceWorkspace } from '../workspace/port.js';
import { type AgentChoice, type PreparedAgent, prepareAgent } from './agent.js';
import { composeController } from './controller.js';
import type { TargetRequest } from './delivery-target.js';
import { type AppDeps, inPhase } from './deps.js';
import { withFailureRecorded } from './execute.js';
import { type FixReport, fixReply } from './fix-reply.js';
import { openPullRequests } from './open-pr.js';

const DELIVERABLE_AFTER_FIX: readonly GoalStatus[] = ['ready', 'not_ready', 'failed'];

/** One change a reviewer asked for: a review, a review comment, or a `fix` command. */
export interface ChangeRequest {
  /**
   * Stable across redeliveries: `review-comment:<id>`, `review:<id>`, `comment:<id>`. A request
   * whose id a fix already handled starts nothing.
   */
  id: string;
  text: string;
  path?: string | null;
  line?: number | null;
  author?: string | null;
  /** The review comment to answer in its thread; null: answer on the PR itself. */
  replyTo?: number | null;
}

/** Where the answers go: the review thread of a review comment, or the PR's conversation. */
export interface ReviewReplies {
  reply(pr: number, request: ChangeRequest, body: string): Promise<void>;
  /** Resolves the review thread a request opened (`replyTo`), once its fix is in. */
  resolve?(pr: number, request: ChangeRequest): Promise<void>;
}

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
      /** Replies posted (one per request). */
      replied: number;
      /** Review threads resolved (only when the fix applied). */
      resolved: number;
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
  const fixNumber = (await fixEvents(deps, goalId, 'fix_requested')).length + 1;
  await journal.save([
    { type: 'fix_requested', data: { fix: fixNumber, pr, sliceId: pull.sliceId, requestIds } },
  ]);
  const ran = await inPhase(deps, `omk: fixing PR #${pr} of goal ${goalId}`, () =>
    runFix(
      controller,
      journal,
      goal,
      { pr, sliceId: pull.sliceId, fixNumber, requests: fresh },
      request.signal,
    ),
  );
  let proofStatus: ProofStatus = (await readProof(deps.store, goalId)).proof.status;
  let delivered = false;
  if (ran.change !== null || ran.untrusted) {
    // The fix is on the branch (or the agent reached outside its worktree, which its proof must
    // say): integrate and verify again, then update every PR of the goal.
    const verified = await executeGoal(controller, goalId, { untilReady: false, dispatch: false }).then(
      withFailureRecorded(deps),
    );
    proofStatus = verified.proof.status;
    // The PRs exist: they show the fix and what its proof says, whatever it says.
    if (DELIVERABLE_AFTER_FIX.includes(verified.goal.status)) {
      await openPullRequests(deps, {
        goalId,
        dryRun: false,
        ...(request.base === undefined ? {} : { base: request.base }),
        ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
      });
      delivered = true;
    }
  }
  const proof = (await readProof(deps.store, goalId)).proof;
  const report: FixReport = {
    pr,
    headSha: ran.change?.headSha ?? null,
    changedFiles: ran.change?.changedFiles.map((file) => file.path) ?? [],
    agentFailure: ran.agentFailure,
    proofStatus,
    failing: failingGates(proof.gates).map((gate) => gate.name),
    delivered,
  };
  const applied = report.headSha !== null && proofStatus === 'ready' && delivered;
  let replied = 0;
  for (const change of fresh) {
    if (request.replies === undefined) break;
    try {
      await request.replies.reply(pr, change, fixReply(report));
      replied += 1;
    } catch (error) {
      deps.reporter.warn(
        `could not answer ${change.id} on PR #${pr}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const resolved =
    applied && request.replies !== undefined ? await resolveThreads(deps, request.replies, pr, fresh) : 0;
  const done = await ExecutionJournal.open(deps.store, goalId);
  await done.save([
    {
      type: applied ? 'fix_applied' : 'fix_failed',
      data: {
        fix: fixNumber,
        pr,
        requestIds,
        headSha: report.headSha,
        proof: proofStatus,
        ...(applied ? {} : { why: whyFailed(report) }),
      },
    },
  ]);
  return {
    kind: applied ? 'applied' : 'failed',
    requestIds,
    pr,
    sliceId: pull.sliceId,
    report,
    proofStatus,
    replied,
    resolved,
  };
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
  if (report.headSha === null) return 'no change';
  if (!report.delivered) return `goal ${report.proofStatus}: not delivered`;
  return `proof ${report.proofStatus}${report.failing.length > 0 ? `: ${report.failing.join(', ')} fail` : ''}`;
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

interface FixTask {
  pr: number;
  sliceId: string | null;
  fixNumber: number;
  requests: readonly ChangeRequest[];
}

interface FixRun {
  change: { headSha: string; changedFiles: ChangedFile[] } | null;
  agentFailure: string | null;
  /** The integrity checks around the agent found a blocking change: the goal is verified again. */
  untrusted: boolean;
}

/** The fix task: the agent on the PR's branch, its change committed there and recorded. */
async function runFix(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goal: GoalRecord,
  task: FixTask,
  signal: AbortSignal | undefined,
): Promise<FixRun> {
  const { workspace, head, writes, failing } = await openBranch(deps, journal, goal, task.sliceId);
  const taskId = task.sliceId ?? workspace.sliceId;
  const attempt = journal.execution.agentRuns.filter((run) => run.taskId === taskId).length + 1;
  const paths = task.requests.flatMap((r) => (r.path === undefined || r.path === null ? [] : [r.path]));
  const prompt = renderFixPrompt({
    goal: goal.goal.normalized,
    branch: workspace.branch,
    pr: task.pr,
    requests: task.requests.map((r) => ({
      text: r.text,
      path: r.path ?? null,
      line: r.line ?? null,
      author: r.author ?? null,
    })),
    failing,
    writes: [...new Set([...writes, ...paths])],
  });
  deps.reporter.info(`[${taskId}] ${deps.agent.label}: fix ${task.fixNumber} for PR #${task.pr}`);
  // The slowest slice's time, and never more than the goal's time budget has left.
  const taskTime = Math.max(...journal.graph.tasks.map((t) => t.budget.timeMs));
  const timeMs =
    goal.budget.timeMs === null
      ? taskTime
      : Math.min(taskTime, Math.max(1, goal.budget.timeMs - journal.spent.timeMs));
  // Checked as a slice's agent is: it runs with the same reach, on a branch that gets pushed.
  const { result, findings: integrity } = await checkedAgentRun(
    deps,
    { goalId: goal.id, repoRoot: goal.repo.root, worktree: workspace.path },
    () =>
      deps.agent.run({
        goalId: goal.id,
        taskId,
        attempt,
        task: {
          id: taskId,
          title: `Fix PR #${task.pr} as the review asks`,
          description: task.requests.map((r) => r.text).join('\n\n'),
          ownerRole: task.sliceId === null ? 'integrator' : 'implementer',
          reads: ['.'],
          writes,
          acceptance: ['The changes the review asks for are made.', 'The required gates pass.'],
        },
        prompt,
        cwd: workspace.path,
        timeoutMs: timeMs,
        artifactsDir: join(deps.store.paths(goal.id).agentRunArtifacts, taskId),
        ...(signal === undefined ? {} : { signal }),
      }),
  );
  if (result.environment !== undefined) {
    await journal.save([
      {
        type: 'agent_finished',
        data: { taskId, attempt, outcome: result.outcome, unavailable: result.environment.cause },
      },
    ]);
    throw new AgentUnavailableError(
      `The agent ${deps.agent.label} cannot run here, so PR #${task.pr} was not fixed: ${result.environment.words}`,
      { hint: `${result.environment.fix}. Its output is in ${result.transcript}.` },
    );
  }
  const change = await deps.workspaces.capture(
    { ...workspace, baseSha: head },
    `omk(${goal.id}): fix ${task.fixNumber} for PR #${task.pr} (review)`,
  );
  journal.execution = {
    ...journal.execution,
    agentRuns: [...journal.execution.agentRuns, agentRunRecord(taskId, attempt, deps.agent.name, result)],
  };
  if (task.sliceId !== null && change.committed && result.outcome !== 'cancelled') {
    // The slice PR shows the slice's own gates: they run again on its new head.
    const record = sliceRecord(journal.execution, task.sliceId);
    const changed = new Map(record.changedFiles.map((file) => [file.path, file]));
    for (const file of change.changedFiles) changed.set(file.path, file);
    const { gates, findings } = await sliceGates(deps, journal, goal, workspace, change.headSha, signal);
    journal.execution = withSlice(journal.execution, {
      ...record,
      workspace: workspace.path,
      headSha: change.headSha,
      changedFiles: [...changed.values()],
      gates,
      findings: [...record.findings, ...integrity, ...findings],
    });
  } else if (task.sliceId !== null && integrity.length > 0) {
    const record = sliceRecord(journal.execution, task.sliceId);
    journal.execution = withSlice(journal.execution, {
      ...record,
      findings: [...record.findings, ...integrity],
    });
  } else if (task.sliceId === null && integrity.length > 0) {
    // The integrator PR's branch: every integration from now on carries them.
    journal.execution = {
      ...journal.execution,
      integrationIntegrity: [...journal.execution.integrationIntegrity, ...integrity],
    };
  }
  await journal.save(
    [
      {
        type: 'agent_finished',
        data: { taskId, attempt, outcome: result.outcome, durationMs: result.durationMs },
      },
      {
        type: 'change_captured',
        data: {
          taskId,
          committed: change.committed,
          headSha: change.headSha,
          files: change.changedFiles.length,
        },
      },
    ],
    {
      spend: { timeMs: result.durationMs, tokens: result.usage.tokens ?? 0, usd: result.usage.usd ?? 0 },
      spendNote: `fix ${task.fixNumber} for PR #${task.pr}`,
    },
  );
  const agentFailure =
    result.outcome === 'succeeded'
      ? null
      : `${result.outcome}${result.exitCode === null ? '' : ` (exit ${result.exitCode})`}: ${result.summary}`;
  const untrusted = integrity.some((finding) => finding.severity === 'blocking');
  if (!change.committed || result.outcome === 'cancelled') return { change: null, agentFailure, untrusted };
  return { change: { headSha: change.headSha, changedFiles: change.changedFiles }, agentFailure, untrusted };
}

/**
 * A worktree of the PR's branch at its current head: the integration branch (reopened with what
 * is merged into it, fixes included), or the slice's branch. With what the fix may change and
 * what fails there now.
 */
async function openBranch(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goal: GoalRecord,
  sliceId: string | null,
): Promise<{ workspace: SliceWorkspace; head: string; writes: string[]; failing: string | null }> {
  const baseSha = goal.repo.baseSha;
  if (baseSha === null) throw new NotFoundError(`Goal ${goal.id} has no base commit.`);
  const done = dependencyWaves(journal.graph.tasks)
    .flat()
    .filter((task) => task.status === 'done');
  if (sliceId === null) {
    const branches = done
      .map((task) => sliceRecord(journal.execution, task.id).branch)
      .filter((branch): branch is string => branch !== null);
    const result = await deps.workspaces.integrate({
      repoRoot: goal.repo.root,
      workspaceRoot: deps.workspaceRoot,
      goalId: goal.id,
      baseSha,
      target: integrationBranchName(goal.id),
      branches,
    });
    const failing = describeChecks({
      findings: [],
      failingGates: failingGates(journal.execution.finalGates),
      workdir: result.workspace.path,
    });
    return {
      workspace: result.workspace,
      head: result.headSha,
      writes: [...new Set(done.flatMap((task) => task.writes))],
      failing,
    };
  }
  const record = sliceRecord(journal.execution, sliceId);
  const task = journal.graph.tasks.find((t) => t.id === sliceId);
  if (task === undefined || record.headSha === null) {
    throw new NotFoundError(`Slice ${sliceId} of goal ${goal.id} has no branch to fix.`);
  }
  const workspace = await deps.workspaces.create({
    repoRoot: goal.repo.root,
    goalId: goal.id,
    sliceId,
    baseSha,
    workspaceRoot: deps.workspaceRoot,
    sparsePaths: null,
  });
  const failing = describeChecks({
    findings: record.findings,
    failingGates: failingGates(record.gates),
    workdir: workspace.path,
  });
  return { workspace, head: record.headSha, writes: task.writes, failing };
}

/** The slice's gates on its fixed head, inside the integrity checks every gate run gets. */
async function sliceGates(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goal: GoalRecord,
  workspace: SliceWorkspace,
  head: string,
  signal: AbortSignal | undefined,
): Promise<{ gates: GateEvidence[]; findings: Finding[] }> {
  const ctx = createRunContext(deps, journal, goal, signal ?? new AbortController().signal);
  const gateEnv = await prepareWorkspace(ctx, workspace.path, workspace.sliceId);
  const findings: Finding[] = [];
  const gates = await checkedGates(ctx, workspace.path, head, findings, () =>
    deps.verify(ctx.gates, {
      cwd: workspace.path,
      sha: head,
      baseCwd: ctx.base.path,
      baseSha: ctx.base.baseSha,
      baseline: null,
      artifactsDir: deps.store.paths(goal.id).gateArtifacts,
      env: gateEnv,
      ...(signal === undefined ? {} : { signal }),
    }),
  );
  return { gates, findings };
}
