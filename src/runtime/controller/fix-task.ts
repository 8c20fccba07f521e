import { join, relative } from 'node:path';
import { renderFixPrompt } from '../agents/fix-prompt.js';
import { AgentUnavailableError, NotFoundError } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import { integrationBranchName } from '../graph/branches.js';
import { dependencyWaves } from '../graph/order.js';
import type { FixTask } from '../graph/schema.js';
import { forgedObjectFindings, linkFindings } from '../integrity/findings.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { closingReferenceFindings } from '../review/closing-references.js';
import type { CapturedChange, SliceWorkspace } from '../workspace/port.js';
import { describeChecks } from './attempt-failure.js';
import { headTestTexts, reviewChange, reviewGateDefinitions, writeReview } from './change-review.js';
import { checkedAgentRun } from './checked-agent.js';
import { checkedGates } from './checked-gates.js';
import type { ControllerDeps, RunContext } from './context.js';
import { agentRunRecord, sliceBranches, sliceRecord, withSlice } from './execution-state.js';
import type { ExecutionJournal } from './journal.js';
import { prepareWorkspace } from './prepare.js';
import { rateLimitStopError } from './rate-limit-stop.js';
import { exhaustedLimit } from './scheduler.js';
import { failingGates } from './slice.js';
import { sayFallback } from './workspace-fallback.js';

/** The fix tasks of the graph (a graph written before fixes were tasks has none). */
export function fixTasks(journal: Pick<ExecutionJournal, 'graph'>): FixTask[] {
  return journal.graph.fixes ?? [];
}

export function updateFix(journal: ExecutionJournal, id: string, change: Partial<FixTask>): void {
  journal.graph = {
    ...journal.graph,
    fixes: fixTasks(journal).map((fix) => (fix.id === id ? { ...fix, ...change } : fix)),
  };
}

/**
 * Runs the graph's pending fix tasks in the order they were asked, each once, inside this
 * controller's run (its lease, heartbeat, pause and cancel). A spent budget leaves them pending.
 */
export async function runPendingFixes(ctx: RunContext): Promise<void> {
  for (;;) {
    if (ctx.signal.aborted) return;
    const next = fixTasks(ctx.journal).find((fix) => fix.status === 'pending');
    if (next === undefined) return;
    const spent = exhaustedLimit((await ctx.deps.store.read(ctx.goal.id)).budget, ctx.journal.spent);
    if (spent !== null) {
      ctx.deps.reporter.warn(`[${next.id}] not run: the ${spent} budget is spent`);
      return;
    }
    await runFixTask(ctx, next);
  }
}

/** One run of a fix task: the agent on the PR's branch, its change committed there and recorded. */
async function runFixTask(ctx: RunContext, fix: FixTask): Promise<void> {
  const { deps, journal, goal, signal } = ctx;
  const { workspace, head, writes, failing } = await openBranch(deps, journal, fix.sliceId);
  // A clone in place of a worktree is said, as a slice's is (never a silent fallback).
  await sayFallback(ctx, fix.id, workspace);
  const attempt = fix.attempts + 1;
  updateFix(journal, fix.id, { status: 'running', attempts: attempt });
  // Recorded before the worktree changes: a successor undoes what this attempt leaves half done.
  journal.execution = {
    ...journal.execution,
    fixRun: {
      taskId: fix.id,
      attempt,
      head,
      workspace: workspace.path,
      branch: workspace.branch,
      agentProcess: null,
    },
  };
  await journal.save([
    { type: 'task_leased', data: { taskId: fix.id, attempt, pr: fix.pr, sliceId: fix.sliceId } },
  ]);
  const paths = fix.requests.flatMap((r) => (r.path === null ? [] : [r.path]));
  // What the fix may change: its PR's write set and the files the review names.
  const allowed = [...new Set([...writes, ...paths])];
  const prompt = renderFixPrompt({
    goal: goal.goal.normalized,
    branch: workspace.branch,
    pr: fix.pr,
    requests: fix.requests.map(({ text, path, line, author }) => ({ text, path, line, author })),
    failing,
    writes: allowed,
  });
  deps.reporter.info(`[${fix.id}] ${deps.agent.label}: fix ${fix.fix} for PR #${fix.pr}`);
  // The slowest slice's time, and never more than the goal's time budget has left.
  const taskTime = Math.max(...journal.graph.tasks.map((t) => t.budget.timeMs));
  const live = (await deps.store.read(goal.id)).budget;
  const timeMs =
    live.timeMs === null ? taskTime : Math.min(taskTime, Math.max(1, live.timeMs - journal.spent.timeMs));
  // Checked as a slice's agent is: it runs with the same reach, on a branch that gets pushed.
  const { result, findings: integrity } = await checkedAgentRun(
    ctx,
    { goalId: goal.id, repoRoot: goal.repo.root, worktree: workspace.path, taskId: fix.id },
    () =>
      deps.agent.run({
        goalId: goal.id,
        taskId: fix.id,
        attempt,
        task: {
          id: fix.id,
          title: `Fix PR #${fix.pr} as the review asks`,
          description: fix.requests.map((r) => r.text).join('\n\n'),
          ownerRole: fix.sliceId === null ? 'integrator' : 'implementer',
          reads: ['.'],
          writes: allowed,
          acceptance: ['The changes the review asks for are made.', 'The required gates pass.'],
        },
        prompt,
        cwd: workspace.path,
        timeoutMs: timeMs,
        artifactsDir: join(deps.store.paths(goal.id).agentRunArtifacts, fix.id),
        signal,
        onProcess: (pid) => {
          const run = journal.execution.fixRun;
          if (run === null) return;
          const startedAt = deps.store.deps.clock.nowIso();
          journal.execution = {
            ...journal.execution,
            fixRun: {
              ...run,
              agentProcess: { pid, host: deps.store.deps.host.hostname, startedAt, attempt },
            },
          };
          void journal
            .save([{ type: 'agent_started', data: { taskId: fix.id, attempt, pid } }])
            .catch(() => {});
        },
      }),
  );
  if (result.outcome === 'cancelled' || signal.aborted || result.environment !== undefined) {
    // Not an attempt: the fix waits for the next controller, its branch as it was.
    const events: EventInput[] = [
      {
        type: 'agent_finished',
        data: {
          taskId: fix.id,
          attempt,
          outcome: result.outcome,
          ...(result.environment === undefined ? {} : { unavailable: result.environment.cause }),
        },
      },
      ...(await undoFixRun(deps, journal)),
    ];
    updateFix(journal, fix.id, { status: 'pending', attempts: attempt - 1 });
    await journal.save([...events, { type: 'task_pending', data: { taskId: fix.id, attempt } }]);
    if (result.environment === undefined) return;
    if (result.environment.waited !== undefined)
      throw rateLimitStopError(
        deps.agent.label,
        { what: `the fix of PR #${fix.pr}`, left: `PR #${fix.pr} is not fixed yet` },
        result.environment,
        result.environment.waited,
        goal.id,
        result.transcript,
      );
    throw new AgentUnavailableError(
      `The agent ${deps.agent.label} cannot run here, so PR #${fix.pr} was not fixed: ${result.environment.words}`,
      {
        hint: [
          `${result.environment.fix.charAt(0).toUpperCase()}${result.environment.fix.slice(1)}; then `,
          { step: 'resume', goalId: goal.id },
          ` runs the fix. Its output is in ${result.transcript}.`,
        ],
      },
    );
  }
  const captured = await deps.workspaces.capture(
    { ...workspace, baseSha: head },
    `omk(${goal.id}): fix ${fix.fix} for PR #${fix.pr} (review)`,
  );
  journal.execution = {
    ...journal.execution,
    fixRun: null,
    agentRuns: [...journal.execution.agentRuns, agentRunRecord(fix.id, attempt, deps.agent.name, result)],
  };
  // The fix's own diff gets the reviews a slice's attempt gets; a blocking one keeps it off the
  // branch, so nothing it refuses is ever pushed.
  const {
    change,
    review,
    refused,
    events: reviewEvents,
  } = await reviewFix(ctx, fix, { ...workspace, baseSha: head }, captured, allowed);
  if (fix.sliceId !== null && change.committed) {
    // The slice PR shows the slice's own gates: they run again on its new head.
    const record = sliceRecord(journal.execution, fix.sliceId);
    const changed = new Map(record.changedFiles.map((file) => [file.path, file]));
    for (const file of change.changedFiles) changed.set(file.path, file);
    const { gates, findings } = await sliceGates(ctx, workspace, change.headSha);
    journal.execution = withSlice(journal.execution, {
      ...record,
      workspace: workspace.path,
      headSha: change.headSha,
      changedFiles: [...changed.values()],
      gates,
      findings: [...record.findings, ...review, ...integrity, ...findings],
    });
  } else if (fix.sliceId !== null && integrity.length > 0) {
    const record = sliceRecord(journal.execution, fix.sliceId);
    journal.execution = withSlice(journal.execution, {
      ...record,
      findings: [...record.findings, ...integrity],
    });
  } else if (fix.sliceId === null && integrity.length > 0) {
    // The integrator PR's branch: every integration from now on carries them.
    journal.execution = {
      ...journal.execution,
      integrationIntegrity: [...journal.execution.integrationIntegrity, ...integrity],
    };
  }
  const agentFailure =
    result.outcome === 'succeeded'
      ? null
      : `${result.outcome}${result.exitCode === null ? '' : ` (exit ${result.exitCode})`}: ${result.summary}`;
  const untrusted = integrity.some((finding) => finding.severity === 'blocking');
  const done = change.committed && agentFailure === null;
  updateFix(journal, fix.id, {
    status: done ? 'done' : 'failed',
    result: {
      headSha: change.committed ? change.headSha : null,
      changedFiles: change.committed ? change.changedFiles.map((file) => file.path) : [],
      agentFailure,
      untrusted,
      refused: refused.length > 0 ? refused : null,
    },
  });
  await journal.save(
    [
      {
        type: 'agent_finished',
        data: { taskId: fix.id, attempt, outcome: result.outcome, durationMs: result.durationMs },
      },
      {
        type: 'change_captured',
        data: {
          taskId: fix.id,
          committed: captured.committed,
          headSha: captured.headSha,
          files: captured.changedFiles.length,
        },
      },
      ...reviewEvents,
      done
        ? { type: 'task_done', data: { taskId: fix.id, attempt } }
        : {
            type: 'task_failed',
            data: {
              taskId: fix.id,
              attempts: attempt,
              why:
                agentFailure ??
                (refused.length > 0 ? `refused by review: ${refused.join(' ')}` : 'no change'),
            },
          },
    ],
    {
      spend: { timeMs: result.durationMs, tokens: result.usage.tokens ?? 0, usd: result.usage.usd ?? 0 },
      spendNote: `${fix.id} for PR #${fix.pr}`,
    },
  );
}

/**
 * The reviews of a fix's committed change. A blocking finding puts the branch back where the fix
 * started (the change kept as a patch among the goal's artifacts): the change as it stands, or
 * the change refused with what refused it. Warnings go on the slice's findings with the fix.
 */
async function reviewFix(
  ctx: RunContext,
  fix: FixTask,
  workspace: SliceWorkspace,
  captured: CapturedChange,
  writes: readonly string[],
): Promise<{ change: CapturedChange; review: Finding[]; refused: string[]; events: EventInput[] }> {
  if (!captured.committed) return { change: captured, review: [], refused: [], events: [] };
  const { deps, goal } = ctx;
  const links = linkFindings(
    await deps.integrity.escapingLinks(
      workspace.path,
      captured.changedFiles.map((file) => file.path),
    ),
  );
  const review = [
    ...reviewChange(ctx, {
      taskId: fix.id,
      writes,
      changedFiles: captured.changedFiles,
      diff: captured.diff,
      gates: [],
      pushedAtOnce: true,
      headTexts: await headTestTexts(ctx, workspace.path, captured.headSha, captured.changedFiles),
    }),
    ...(await reviewGateDefinitions(
      ctx,
      workspace.path,
      workspace.baseSha,
      captured.headSha,
      captured.changedFiles,
    )),
    ...links,
    ...forgedObjectFindings(captured.forgedObjects ?? []),
    ...closingReferenceFindings(captured.commitMessages ?? []),
  ];
  await writeReview(ctx, fix.id, review);
  const blocking = review.filter((finding) => finding.severity === 'blocking');
  const events: EventInput[] = [
    { type: 'review_written', data: { taskId: fix.id, blocking: blocking.length } },
  ];
  if (blocking.length === 0) return { change: captured, review, refused: [], events };
  const paths = deps.store.paths(goal.id);
  const diffPath = join(paths.attemptArtifacts, fix.id, `fix-${fix.attempts + 1}-refused.diff`);
  const reset = await deps.workspaces.resetToBase(workspace, diffPath);
  events.push({
    type: 'slice_reset',
    data: {
      taskId: fix.id,
      attempt: fix.attempts + 1,
      from: reset.previousHead,
      to: workspace.baseSha,
      diff: reset.diffSaved ? relative(paths.dir, diffPath) : null,
    },
  });
  deps.reporter.warn(
    `[${fix.id}] its change is not applied to PR #${fix.pr}: ${blocking.map((f) => f.message).join(' ')}`,
  );
  const unchanged: CapturedChange = {
    ...captured,
    committed: false,
    headSha: workspace.baseSha,
    changedFiles: [],
    diff: '',
  };
  return { change: unchanged, review: [], refused: blocking.map((f) => f.message), events };
}

/**
 * Puts the fix's branch back where its run started, keeping what the run left as a patch, and
 * stops its agent if it still runs here (a controller that died while the fix ran).
 */
async function undoFixRun(
  deps: Pick<ControllerDeps, 'workspaces' | 'store'>,
  journal: ExecutionJournal,
): Promise<EventInput[]> {
  const run = journal.execution.fixRun;
  if (run === null) return [];
  journal.execution = { ...journal.execution, fixRun: null };
  if (!(await deps.store.files.exists(run.workspace))) return [];
  const paths = deps.store.paths(journal.goalId);
  const diffPath = join(paths.attemptArtifacts, run.taskId, `fix-${run.attempt}-interrupted.diff`);
  const workspace: SliceWorkspace = {
    sliceId: run.taskId,
    path: run.workspace,
    branch: run.branch,
    baseSha: run.head,
    mode: 'worktree',
    fallbackReason: null,
  };
  const reset = await deps.workspaces.resetToBase(workspace, diffPath);
  return [
    {
      type: 'slice_reset',
      data: {
        taskId: run.taskId,
        attempt: run.attempt,
        from: reset.previousHead,
        to: run.head,
        diff: reset.diffSaved ? relative(paths.dir, diffPath) : null,
      },
    },
  ];
}

/**
 * A controller died while a fix task ran: stop its agent if it still runs here, put the branch
 * back where the fix started, and leave the fix pending for this run (its attempt not spent).
 * For takeControl.
 */
export async function recoverFixTasks(
  deps: Pick<ControllerDeps, 'workspaces' | 'store'>,
  journal: ExecutionJournal,
  previousController: number | null,
): Promise<EventInput[]> {
  const events: EventInput[] = [];
  const host = deps.store.deps.host;
  for (const fix of fixTasks(journal).filter((f) => f.status === 'running')) {
    const run = journal.execution.fixRun;
    const orphan = run?.taskId === fix.id ? run.agentProcess : null;
    const alive = orphan !== null && orphan.host === host.hostname && host.isAlive(orphan.pid);
    const stopped = alive && host.killGroup(orphan.pid);
    events.push({
      type: 'worker_dead',
      data: { taskId: fix.id, previousController, orphanAgent: orphan?.pid ?? null, orphanStopped: stopped },
    });
    if (run?.taskId === fix.id) events.push(...(await undoFixRun(deps, journal)));
    updateFix(journal, fix.id, { status: 'pending', attempts: Math.max(0, fix.attempts - 1) });
  }
  return events;
}

/**
 * A worktree of the PR's branch at its current head: the integration branch (reopened with what
 * is merged into it, fixes included), or the slice's branch. With what the fix may change and
 * what fails there now.
 */
async function openBranch(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  sliceId: string | null,
): Promise<{ workspace: SliceWorkspace; head: string; writes: string[]; failing: string | null }> {
  const goal = await deps.store.read(journal.goalId);
  const baseSha = goal.repo.baseSha;
  if (baseSha === null) throw new NotFoundError(`Goal ${goal.id} has no base commit.`);
  const done = dependencyWaves(journal.graph.tasks)
    .flat()
    .filter((task) => task.status === 'done');
  if (sliceId === null) {
    const { branches, heads } = sliceBranches(journal.execution, done);
    const result = await deps.workspaces.integrate({
      repoRoot: goal.repo.root,
      workspaceRoot: deps.workspaceRoot,
      goalId: goal.id,
      baseSha,
      target: integrationBranchName(goal.id),
      branches,
      heads,
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
  ctx: RunContext,
  workspace: SliceWorkspace,
  head: string,
): Promise<{ gates: GateEvidence[]; findings: Finding[] }> {
  const { deps, goal, signal } = ctx;
  const gateEnv = await prepareWorkspace(ctx, workspace.path, workspace.sliceId);
  const findings: Finding[] = [];
  const gates = await checkedGates(
    ctx,
    workspace.path,
    head,
    findings,
    () =>
      deps.verify(ctx.gates, {
        cwd: workspace.path,
        sha: head,
        baseCwd: ctx.base.path,
        baseSha: ctx.base.baseSha,
        baseline: null,
        artifactsDir: deps.store.paths(goal.id).gateArtifacts,
        env: gateEnv,
        signal,
      }),
    true,
    workspace.sliceId,
  );
  return { gates, findings };
}
