import { join, relative } from 'node:path';
import { renderIntegrationFixPrompt } from '../agents/integration-prompt.js';
import { AgentUnavailableError } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import { INTEGRATION_ID } from '../graph/branches.js';
import { dependencyWaves } from '../graph/order.js';
import type { Task } from '../graph/schema.js';
import { forgedObjectFindings } from '../integrity/findings.js';
import type { IntegrationResult, SliceWorkspace } from '../workspace/port.js';
import { describeChecks } from './attempt-failure.js';
import { reviewGateDefinitions } from './change-review.js';
import { checkedAgentRun } from './checked-agent.js';
import type { ControllerDeps, RunContext } from './context.js';
import { agentRunRecord, sliceBranches, sliceRecord } from './execution-state.js';
import { integrateSlices } from './integrate.js';
import type { ExecutionJournal } from './journal.js';
import { rateLimitStopError } from './rate-limit-stop.js';
import { exhaustedLimit } from './scheduler.js';
import { failingGates } from './slice.js';

/** What the merged tree fails where every slice passed. */
export interface IntegrationFailure {
  kind: 'gates' | 'conflict';
  /** Failing gates with their output, or the conflict's detail: the fixer's evidence. */
  evidence: string;
  /** The slice branch whose merge conflicts (kind 'conflict'). */
  conflict: { branch: string; paths: string[] } | null;
  /** Slice branches merged into the integration branch so far. */
  merged: string[];
}

/**
 * Integrates the done slices; with `repair` (an until-ready run), while the merged tree fails a
 * required gate where every slice passed, or a merge conflicts, and attempts and budget remain,
 * runs the agent once more as the integration-fix task on the integration branch, then
 * integrates and verifies again. Out of attempts, the goal settles on the last evidence.
 */
export async function integrateAndRepair(ctx: RunContext, repair: boolean): Promise<void> {
  let result = await integrateSlices(ctx);
  if (!repair || result === null) return;
  let failure = integrationFailure(ctx, result);
  if (failure === null) return;
  const limit = repairAttempts(ctx.journal.graph.tasks);
  // Where the failure being repaired was seen: a repair that does not hold is undone back to here.
  let anchor = { head: result.headSha, failure };
  let previous: { evidence: string; diff: string | null } | null = null;
  for (let round = 1; ; round += 1) {
    if (ctx.signal.aborted) return;
    if (round > limit) {
      ctx.deps.reporter.warn(
        `[${INTEGRATION_ID}] not repaired after ${limit} attempt(s); the goal keeps the evidence of the last one`,
      );
      return;
    }
    const budget = exhaustedLimit((await ctx.deps.store.read(ctx.goal.id)).budget, ctx.journal.spent);
    if (budget !== null) {
      ctx.deps.reporter.warn(`[${INTEGRATION_ID}] not repaired: the ${budget} budget is spent`);
      return;
    }
    const workspace = result.workspace;
    const attempt = nextAttempt(ctx);
    if (previous !== null) previous = await undoAttempt(ctx, workspace, anchor.head, attempt, previous);
    const outcome = await runFix(ctx, workspace, anchor, { attempt, round, limit }, previous);
    if (outcome === 'interrupted') {
      await undoAttempt(ctx, workspace, anchor.head, attempt, null);
      return;
    }
    result = await integrateSlices(ctx);
    if (result === null) return;
    failure = integrationFailure(ctx, result);
    await ctx.journal.save([
      {
        type: 'integration_repair_finished',
        data: {
          attempt,
          outcome: outcome === 'untrusted' ? 'untrusted' : failure === null ? 'repaired' : 'not_repaired',
          headSha: result.headSha,
          ...(failure === null ? {} : { still: failure.kind }),
        },
      },
    ]);
    if (outcome === 'untrusted') {
      // Another attempt cannot make it trusted again: the goal keeps the blocking findings.
      ctx.deps.reporter.warn(
        `[${INTEGRATION_ID}] not repaired: the repair agent reached outside its worktree (see the proof's findings)`,
      );
      return;
    }
    if (failure === null) {
      ctx.deps.reporter.info(`[${INTEGRATION_ID}] repaired on attempt ${attempt}: the merged tree passes`);
      return;
    }
    if (failure.kind === 'conflict' && failure.merged.length > anchor.failure.merged.length) {
      // The fix held and the merge went further: the next conflict is a new repair, built on it.
      anchor = { head: result.headSha, failure };
      previous = null;
    } else previous = { evidence: failure.evidence, diff: null };
  }
}

/**
 * Pure: what the merged tree fails, when every slice is done (each passed its own checks); null
 * when it passes, or when slices are not done (their failures are theirs, not the merge's).
 */
export function integrationFailure(ctx: RunContext, result: IntegrationResult): IntegrationFailure | null {
  const { journal } = ctx;
  if (!journal.graph.tasks.every((task) => task.status === 'done')) return null;
  if (result.conflict !== null) {
    const { branch, paths, detail } = result.conflict;
    return { kind: 'conflict', evidence: detail, conflict: { branch, paths }, merged: result.merged };
  }
  const gates = failingGates(journal.execution.finalGates);
  const evidence = describeChecks({ findings: [], failingGates: gates, workdir: result.workspace.path });
  if (evidence === null) return null;
  return { kind: 'gates', evidence, conflict: null, merged: result.merged };
}

/** As many repair attempts as the most-retried slice of the plan gets (its maxRetries + 1). */
export function repairAttempts(tasks: readonly Pick<Task, 'maxRetries'>[]): number {
  return Math.max(0, ...tasks.map((task) => task.maxRetries)) + 1;
}

/** Repair attempts are numbered across runs, like a slice's. */
function nextAttempt(ctx: RunContext): number {
  return ctx.journal.execution.agentRuns.filter((run) => run.taskId === INTEGRATION_ID).length + 1;
}

/**
 * Puts the integration branch back where the failure was seen, keeping what the attempt left as
 * a patch (as a slice's retry does); the repair's commit never stays when it did not hold.
 */
async function undoAttempt(
  ctx: RunContext,
  workspace: SliceWorkspace,
  head: string,
  attempt: number,
  previous: { evidence: string; diff: string | null } | null,
): Promise<{ evidence: string; diff: string | null } | null> {
  const paths = ctx.deps.store.paths(ctx.goal.id);
  const name = previous === null ? `repair-${attempt}-interrupted.diff` : `repair-${attempt - 1}.diff`;
  const diffPath = join(paths.attemptArtifacts, INTEGRATION_ID, name);
  const reset = await ctx.deps.workspaces.resetToBase({ ...workspace, baseSha: head }, diffPath);
  const kept = reset.diffSaved && (await ctx.deps.store.files.exists(diffPath));
  ctx.journal.execution = { ...ctx.journal.execution, integrationRepair: null };
  await ctx.journal.save([
    {
      type: 'slice_reset',
      data: {
        taskId: INTEGRATION_ID,
        attempt: previous === null ? attempt : attempt - 1,
        from: reset.previousHead,
        to: head,
        diff: kept ? relative(paths.dir, diffPath) : null,
      },
    },
  ]);
  return previous === null ? null : { ...previous, diff: kept ? relative(workspace.path, diffPath) : null };
}

/**
 * The conflicting slice's branch merged into the integration workspace for the repair agent,
 * refused unless it is where omk captured it (the goal's record), as the integration refuses it.
 */
async function mergeConflicting(
  { deps, journal, goal }: RunContext,
  workspace: SliceWorkspace,
  branch: string,
  done: readonly Task[],
): Promise<{ branch: string; paths: string[] }> {
  const head = sliceBranches(journal.execution, done).heads[branch] ?? null;
  const { paths } = await deps.workspaces.mergeForRepair(workspace, goal.id, { branch, head });
  return { branch, paths };
}

/** One run of the integration-fix task: the agent on the integration branch, then its capture. */
async function runFix(
  ctx: RunContext,
  workspace: SliceWorkspace,
  { head, failure }: { head: string; failure: IntegrationFailure },
  { attempt, round, limit }: { attempt: number; round: number; limit: number },
  previous: { evidence: string; diff: string | null } | null,
): Promise<'ran' | 'untrusted' | 'interrupted'> {
  const { deps, journal, goal } = ctx;
  // Recorded before the worktree changes: a successor undoes what this attempt leaves half done.
  journal.execution = {
    ...journal.execution,
    integrationRepair: { attempt, head, agentProcess: null },
  };
  await journal.save([
    {
      type: 'integration_repair_started',
      data: {
        attempt,
        round,
        of: limit,
        why: failure.kind,
        merged: failure.merged,
        ...(failure.conflict === null ? {} : { conflict: failure.conflict }),
      },
    },
  ]);
  const done = dependencyWaves(journal.graph.tasks)
    .flat()
    .filter((task) => task.status === 'done');
  const conflict =
    failure.conflict === null ? null : await mergeConflicting(ctx, workspace, failure.conflict.branch, done);
  const slices = done.flatMap((task) => {
    const record = sliceRecord(journal.execution, task.id);
    if (record.branch === null) return [];
    return [
      { id: task.id, branch: record.branch, changedFiles: record.changedFiles.map((file) => file.path) },
    ];
  });
  const writes = [...new Set(done.flatMap((task) => task.writes))];
  const prompt = renderIntegrationFixPrompt({
    goal: goal.goal.normalized,
    branch: workspace.branch,
    baseSha: ctx.base.baseSha,
    attempt,
    failure: failure.evidence,
    conflict,
    slices,
    writes,
    previousFailure: previous?.evidence ?? null,
    previousDiff: previous?.diff ?? null,
  });
  deps.reporter.info(
    `[${INTEGRATION_ID}] ${deps.agent.label}: repair attempt ${round} of ${limit} (${failure.kind === 'conflict' ? 'merge conflict' : 'gates fail on the merged tree'})`,
  );
  const live = (await deps.store.read(goal.id)).budget;
  const taskTime = Math.max(...done.map((task) => task.budget.timeMs));
  const timeLeft = live.timeMs === null ? taskTime : Math.max(1, live.timeMs - journal.spent.timeMs);
  const { result, findings } = await checkedAgentRun(
    ctx,
    { goalId: goal.id, repoRoot: goal.repo.root, worktree: workspace.path, taskId: INTEGRATION_ID },
    () =>
      deps.agent.run({
        goalId: goal.id,
        taskId: INTEGRATION_ID,
        attempt,
        task: {
          id: INTEGRATION_ID,
          title: 'Repair the merged tree',
          description: failure.evidence,
          ownerRole: 'integrator',
          reads: ['.'],
          writes,
          acceptance: ['The required gates pass on the merged tree.'],
        },
        prompt,
        cwd: workspace.path,
        timeoutMs: Math.min(taskTime, timeLeft),
        artifactsDir: join(deps.store.paths(goal.id).agentRunArtifacts, INTEGRATION_ID),
        signal: ctx.signal,
        onProcess: (pid) => {
          journal.execution = {
            ...journal.execution,
            integrationRepair: {
              attempt,
              head,
              agentProcess: {
                pid,
                host: deps.store.deps.host.hostname,
                startedAt: deps.store.deps.clock.nowIso(),
                attempt,
              },
            },
          };
          void journal
            .save([{ type: 'agent_started', data: { taskId: INTEGRATION_ID, attempt, pid } }])
            .catch(() => {});
        },
      }),
  );
  if (findings.length > 0) {
    // Kept whatever becomes of this attempt's commit: every integration from now on carries them.
    journal.execution = {
      ...journal.execution,
      integrationIntegrity: [...journal.execution.integrationIntegrity, ...findings],
    };
  }
  if (result.outcome === 'cancelled' || ctx.signal.aborted) {
    await journal.save([
      { type: 'agent_finished', data: { taskId: INTEGRATION_ID, attempt, outcome: 'cancelled' } },
    ]);
    return 'interrupted';
  }
  if (result.environment !== undefined) {
    // The agent could not start here: it changed nothing, and there is nothing to undo.
    journal.execution = { ...journal.execution, integrationRepair: null };
    await journal.save([
      {
        type: 'agent_finished',
        data: {
          taskId: INTEGRATION_ID,
          attempt,
          outcome: result.outcome,
          durationMs: result.durationMs,
          unavailable: result.environment.cause,
        },
      },
    ]);
    if (result.environment.waited !== undefined)
      throw rateLimitStopError(
        deps.agent.label,
        { what: 'the integration repair', left: 'the integration is not repaired yet' },
        result.environment,
        result.environment.waited,
        goal.id,
        result.transcript,
      );
    throw new AgentUnavailableError(
      `The agent ${deps.agent.label} cannot run here, so the integration was not repaired: ${result.environment.words}`,
      {
        hint: [
          `${result.environment.fix.charAt(0).toUpperCase()}${result.environment.fix.slice(1)}; then `,
          { step: 'resume', goalId: goal.id },
          `. Its output is in ${result.transcript}.`,
        ],
      },
    );
  }
  // Described from where the repair started, so its change is the fix alone.
  const change = await deps.workspaces.capture(
    { ...workspace, baseSha: head },
    `omk(${goal.id}): integration repair ${attempt}`,
  );
  // The merged tree's review and merge read the commit's objects, its gates the worktree: a
  // rewritten loose object makes them differ, as a slice's capture checks.
  const forged = forgedObjectFindings(change.forgedObjects ?? []);
  // What its gates run, edited by the repair: the merged tree's results show nothing. Blocking for
  // the goal, not a reach outside the worktree (another attempt may still run).
  const gateEdits = await reviewGateDefinitions(
    ctx,
    workspace.path,
    head,
    change.headSha,
    change.changedFiles,
  );
  journal.execution = {
    ...journal.execution,
    integrationRepair: null,
    integrationIntegrity: [...journal.execution.integrationIntegrity, ...forged, ...gateEdits],
    agentRuns: [
      ...journal.execution.agentRuns,
      agentRunRecord(INTEGRATION_ID, attempt, deps.agent.name, result),
    ],
  };
  await journal.save(
    [
      {
        type: 'agent_finished',
        data: { taskId: INTEGRATION_ID, attempt, outcome: result.outcome, durationMs: result.durationMs },
      },
      {
        type: 'change_captured',
        data: {
          taskId: INTEGRATION_ID,
          committed: change.committed,
          headSha: change.headSha,
          files: change.changedFiles.length,
        },
      },
    ],
    {
      spend: { timeMs: result.durationMs, tokens: result.usage.tokens ?? 0, usd: result.usage.usd ?? 0 },
      spendNote: `${INTEGRATION_ID} repair attempt ${attempt}`,
    },
  );
  return [...findings, ...forged].some((finding) => finding.severity === 'blocking') ? 'untrusted' : 'ran';
}

/**
 * A controller died while an integration repair's agent ran: stop that agent if it still runs
 * here, and put the integration worktree back where the repair started (what it left is kept as a
 * patch), so its uncommitted edits are never verified as the merged tree. For takeControl.
 */
export async function recoverIntegrationRepair(
  deps: Pick<ControllerDeps, 'workspaces' | 'store'>,
  journal: ExecutionJournal,
  previousController: number | null,
): Promise<EventInput[]> {
  const repair = journal.execution.integrationRepair;
  if (repair === null) return [];
  const host = deps.store.deps.host;
  const orphan = repair.agentProcess;
  const alive = orphan !== null && orphan.host === host.hostname && host.isAlive(orphan.pid);
  const stopped = alive && host.killGroup(orphan.pid);
  const events: EventInput[] = [
    {
      type: 'worker_dead',
      data: {
        taskId: INTEGRATION_ID,
        previousController,
        orphanAgent: orphan?.pid ?? null,
        orphanStopped: stopped,
      },
    },
  ];
  const integration = journal.execution.integration;
  journal.execution = { ...journal.execution, integrationRepair: null };
  if (integration === null || !(await deps.store.files.exists(integration.workspace))) return events;
  const paths = deps.store.paths(journal.goalId);
  const diffPath = join(paths.attemptArtifacts, INTEGRATION_ID, `repair-${repair.attempt}-interrupted.diff`);
  const workspace: SliceWorkspace = {
    sliceId: INTEGRATION_ID,
    path: integration.workspace,
    branch: integration.branch,
    baseSha: repair.head,
    mode: 'worktree',
    fallbackReason: null,
  };
  const reset = await deps.workspaces.resetToBase(workspace, diffPath);
  events.push({
    type: 'slice_reset',
    data: {
      taskId: INTEGRATION_ID,
      attempt: repair.attempt,
      from: reset.previousHead,
      to: repair.head,
      diff: reset.diffSaved ? relative(paths.dir, diffPath) : null,
    },
  });
  return events;
}
