import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AgentEnvironmentFailure } from '../agents/environment.js';
import type { AgentRunResult } from '../agents/port.js';
import { type PromptReset, renderAgentPrompt } from '../agents/prompt.js';
import { keptBundleFile, saveKeptBundles } from '../delivery/kept-bundle.js';
import { keptSlice } from '../delivery/kept-local.js';
import { AgentUnavailableError } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import { gateRunKey } from '../gates/reuse.js';
import { allowedProtectedPaths } from '../graph/protected.js';
import type { Task } from '../graph/schema.js';
import { validateAddition } from '../graph/validate.js';
import { forgedObjectFindings, linkFindings } from '../integrity/findings.js';
import { type Hint, NEUTRAL_STEPS, wordHint } from '../next-steps.js';
import { preExistingBasis } from '../proof/pre-existing.js';
import { EXIT_CODE_LABEL, gateOutcomeLabel } from '../proof/render-text.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { diagnosticCounts, testCounts } from '../proof/test-summary.js';
import { closingReferenceFindings } from '../review/closing-references.js';
import type { SliceWorkspace } from '../workspace/port.js';
import { describeAttemptFailure, failureHeadline } from './attempt-failure.js';
import {
  headTestTexts,
  reviewChange,
  reviewGateDefinitions,
  testsEditedAtHead,
  writeReview,
} from './change-review.js';
import { checkedAgentRun } from './checked-agent.js';
import { checkedGates } from './checked-gates.js';
import type { RunContext } from './context.js';
import { failToPassByEdit } from './edited-test.js';
import { agentRunRecord, sliceRecord, withSlice } from './execution-state.js';
import { prepareWorkspace } from './prepare.js';
import { rateLimitStopError } from './rate-limit-stop.js';
import { refuseReplacedCheckout } from './replaced-checkout.js';
import { budgetDecision, exhaustedLimit } from './scheduler.js';
import { sayFallback } from './workspace-fallback.js';

export type SliceOutcome = 'done' | 'failed' | 'interrupted' | 'deferred' | 'deferred-retry';

/**
 * Outcomes that do not fail an attempt: the gate passed, or its failure is not the agent's to fix
 * (it fails on the base too, or its tool cannot start here nor on the base). No retry prompt names
 * them.
 */
const NOT_THE_AGENTS_FAILURE = new Set(['passed', 'flaky', 'pre_existing', 'unavailable']);

/** The commit a slice starts from: its first dependency's head, else the goal's base. */
function startPoint(ctx: RunContext, task: Task): { sha: string; cwd: string | (() => Promise<string>) } {
  const dep = task.dependsOn[0];
  const record = dep ? sliceRecord(ctx.journal.execution, dep) : null;
  // On another matrix runner the dependency's worktree does not exist here; its commit does (fetched).
  if (record?.headSha && record.workspace && existsSync(record.workspace))
    return { sha: record.headSha, cwd: record.workspace };
  if (record?.headSha) return { sha: record.headSha, cwd: ctx.base.path };
  return { sha: ctx.base.baseSha, cwd: ctx.base.path };
}

/** Directories for a sparse cone, or null when the slice needs the whole tree. */
function sparsePaths(ctx: RunContext, task: Task): string[] | null {
  if (ctx.goal.options.sliceExecution !== 'sparse') return null;
  const paths = [...task.reads, ...task.writes];
  if (paths.length === 0 || paths.includes('.')) return null;
  // Cone mode takes directories; a file path contributes its parent (root files are always present).
  const dirs = paths.map((p) => (p.includes('.') && p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : p));
  return [...new Set(dirs.filter((d) => d && !d.includes('.')))].sort();
}

/** The required gates that failed the agent's change (NOT_THE_AGENTS_FAILURE are not the slice's). */
export function failingGates(gates: readonly GateEvidence[]): GateEvidence[] {
  return gates.filter((gate) => gate.required && !NOT_THE_AGENTS_FAILURE.has(gate.outcome));
}

/** The last attempt of the slice's current round (a reopened slice gets a new round). */
function lastAttempt(ctx: RunContext, task: Task): number {
  return sliceRecord(ctx.journal.execution, task.id).roundStart + task.maxRetries + 1;
}

/** How many attempts a slice may have reached when this run leaves it: its round, or one more. */
export function attemptLimit(ctx: RunContext, task: Task, untilReady: boolean): number {
  return untilReady ? lastAttempt(ctx, task) : task.attempts + 1;
}

/**
 * Runs one slice until it is done, out of retries, interrupted, deferred by the budget, or at
 * `attemptLimit` (a run without --until-ready gives each slice one attempt; it stays pending).
 */
export async function runSlice(ctx: RunContext, taskId: string, attemptLimit: number): Promise<SliceOutcome> {
  const { journal, deps } = ctx;
  let previousFailure = sliceRecord(journal.execution, taskId).lastFailure;
  for (;;) {
    const task = journal.task(taskId);
    if (task.attempts >= attemptLimit) return 'deferred-retry';
    const goal = await deps.store.read(ctx.goal.id);
    const decision = budgetDecision(goal.budget, journal.spent, task);
    if (!decision.dispatch) {
      const reason = decision.exhausted ? `the ${decision.which} budget is spent` : decision.reason;
      await journal.save([{ type: 'task_rejected', data: { taskId, code: 'budget', reason } }]);
      return 'deferred';
    }
    if (ctx.signal.aborted) return 'interrupted';
    const attempt = task.attempts + 1;
    journal.updateTask(taskId, { status: 'running', attempts: attempt });
    deps.reporter.info(`[${taskId}] ${deps.agent.label}: attempt ${attempt} of ${lastAttempt(ctx, task)}`);
    const start = startPoint(ctx, task);
    // Built on a slice that was redone: its branch holds that slice's old head, not the new start.
    // It is opened from the goal's base (which every slice branch holds) and reset to the new
    // start below, its work so far kept as the previous attempt's patch.
    const redone = sliceRecord(journal.execution, taskId).dependencyRedone && attempt > 1;
    // The workspace is made while the lease is written (a resumed run reuses it); the agent
    // starts only once both are done, so no agent ever runs without a recorded lease.
    const [leased, opened] = await Promise.allSettled([
      journal.save([{ type: 'task_leased', data: { taskId, attempt, worker: process.pid } }]),
      deps.workspaces.create({
        repoRoot: ctx.goal.repo.root,
        goalId: ctx.goal.id,
        sliceId: taskId,
        baseSha: redone ? ctx.base.baseSha : start.sha,
        workspaceRoot: deps.workspaceRoot,
        sparsePaths: sparsePaths(ctx, task),
      }),
    ]);
    if (leased.status === 'rejected') throw leased.reason;
    if (opened.status === 'rejected') throw opened.reason;
    const workspace = redone ? { ...opened.value, baseSha: start.sha } : opened.value;
    await sayFallback(ctx, taskId, workspace);
    let gateEnv: Readonly<Record<string, string>>;
    try {
      gateEnv = await prepareWorkspace(ctx, workspace.path, taskId);
    } catch (error) {
      // The agent never ran: the attempt is not spent, and the slice waits for a resume.
      journal.updateTask(taskId, { status: 'pending', attempts: attempt - 1 });
      throw error;
    }
    const reset = attempt > 1 ? await resetForAttempt(ctx, taskId, attempt, workspace) : null;
    if (redone) {
      journal.execution = withSlice(journal.execution, {
        ...sliceRecord(journal.execution, taskId),
        dependencyRedone: false,
      });
    }
    const artifactsDir = join(deps.store.paths(ctx.goal.id).agentRunArtifacts, taskId);
    // Taken after omk's own preparation and reset, so every difference afterwards is the agent's.
    // What escaped its process group is ended before anything reads the worktree, then what it
    // changed outside the worktree is restored; both block the slice.
    const checked = await checkedAgentRun(
      ctx,
      { goalId: ctx.goal.id, repoRoot: ctx.goal.repo.root, worktree: workspace.path, taskId },
      () =>
        deps.agent.run({
          goalId: ctx.goal.id,
          taskId,
          attempt,
          task,
          prompt: renderAgentPrompt({
            goal: ctx.goal.goal.normalized,
            task,
            attempt,
            previousFailure,
            reset,
          }),
          cwd: workspace.path,
          timeoutMs: decision.timeoutMs,
          artifactsDir,
          signal: ctx.signal,
          onProcess: (pid) => {
            journal.execution = withSlice(journal.execution, {
              ...sliceRecord(journal.execution, taskId),
              agentProcess: {
                pid,
                host: deps.store.deps.host.hostname,
                startedAt: deps.store.deps.clock.nowIso(),
                attempt,
              },
            });
            void journal.save([{ type: 'agent_started', data: { taskId, attempt, pid } }]).catch(() => {});
            ctx.agentStarted?.();
          },
        }),
    );
    const { result, findings: integrity } = checked;
    // The agent has ended: forget its pid, so no later takeover signals a process that reused it.
    journal.execution = withSlice(journal.execution, {
      ...sliceRecord(journal.execution, taskId),
      agentProcess: null,
    });
    // A branch checkout whose .git the agent replaced: no git call there, not even the lock clean-up.
    const replaced = (await deps.workspaces.gitDirReplaced?.(workspace)) ?? null;
    if (replaced !== null) {
      return await refuseReplacedCheckout(ctx, task, attempt, workspace, result, integrity, replaced);
    }
    // Its process group is gone too: a git lock left in its workspace is its, and would stop
    // the capture (and the next attempt) with "index.lock exists".
    const cleared = await deps.workspaces.clearLocks(workspace);
    if (cleared.length > 0) {
      const why = `git lock files the agent of ${taskId} left in its workspace`;
      await journal.save([{ type: 'lock_recovered', data: { why, paths: cleared } }]);
    }
    if (result.outcome === 'cancelled' || ctx.signal.aborted) {
      journal.updateTask(taskId, { status: 'pending', attempts: attempt - 1 });
      await journal.save([{ type: 'agent_finished', data: { taskId, attempt, outcome: 'cancelled' } }]);
      return 'interrupted';
    }
    if (result.environment !== undefined)
      return await stopUnavailable(ctx, taskId, attempt, result, result.environment);
    const outcome = await settleAttempt(
      ctx,
      task,
      { attempt, attemptLimit },
      workspace,
      start,
      result,
      gateEnv,
      integrity,
    );
    if (outcome.kind !== 'retry') return outcome.kind;
    previousFailure = outcome.failure;
  }
}

/**
 * A later attempt starts from the slice's start point, not from the failed attempt's commit, so
 * the slice branch ends with one commit holding the final state. The earlier work is kept as a
 * patch under the goal's artifacts and the prompt says where.
 */
async function resetForAttempt(
  ctx: RunContext,
  taskId: string,
  attempt: number,
  workspace: SliceWorkspace,
): Promise<PromptReset> {
  const { deps, journal } = ctx;
  const paths = deps.store.paths(ctx.goal.id);
  const diffPath = join(paths.attemptArtifacts, taskId, `attempt-${attempt - 1}.diff`);
  // Attempt n again after an interruption: the patch of attempt n - 1 is there already, and what
  // the interrupted run left goes beside it, never over it.
  const saveTo = (await deps.store.files.exists(diffPath))
    ? join(paths.attemptArtifacts, taskId, `attempt-${attempt}-interrupted.diff`)
    : diffPath;
  const reset = await deps.workspaces.resetToBase(workspace, saveTo);
  const kept = await deps.store.files.exists(diffPath);
  await journal.save([
    {
      type: 'slice_reset',
      data: {
        taskId,
        attempt,
        from: reset.previousHead,
        to: workspace.baseSha,
        diff: kept ? relative(paths.dir, diffPath) : null,
      },
    },
  ]);
  return { baseSha: workspace.baseSha, previousDiff: kept ? relative(workspace.path, diffPath) : null };
}

/**
 * The agent could not run on this machine (not installed, not logged in, ...), or stayed
 * rate-limited past what omk waits: like a worktree that cannot be prepared, that is not an
 * attempt. Nothing is captured, no gate runs, no retry is spent on it; the run stops with the
 * CLI's words and the fix, and the goal resumes once fixed. A rate limit whose runs and waits spent
 * the budget defers the slice instead: the run stops as out of budget, until budget-add.
 */
async function stopUnavailable(
  ctx: RunContext,
  taskId: string,
  attempt: number,
  result: AgentRunResult,
  failure: AgentEnvironmentFailure,
): Promise<'deferred'> {
  const { journal, deps, goal } = ctx;
  const waited = failure.waited;
  journal.updateTask(taskId, { status: 'pending', attempts: attempt - 1 });
  await journal.save([
    {
      type: 'agent_finished',
      data: {
        taskId,
        attempt,
        outcome: result.outcome,
        durationMs: result.durationMs,
        unavailable: failure.cause,
        ...(waited === undefined ? {} : { rateLimitedRuns: waited.runs, waitedMs: waited.waitedMs }),
        ...(waited?.budget ? { budget: waited.budget } : {}),
      },
    },
  ]);
  if (waited?.budget) return 'deferred';
  if (waited !== undefined)
    throw rateLimitStopError(
      deps.agent.label,
      { what: `slice ${taskId}`, left: `its attempt ${attempt} is not spent` },
      failure,
      waited,
      goal.id,
      result.transcript,
    );
  throw new AgentUnavailableError(
    `The agent ${deps.agent.label} cannot run here, so slice ${taskId} was not attempted: ${failure.words}`,
    {
      hint: [
        `${failure.fix.charAt(0).toUpperCase()}${failure.fix.slice(1)}; then `,
        { step: 'resume', goalId: goal.id },
        `. Its output is in ${result.transcript}.`,
      ],
    },
  );
}

async function settleAttempt(
  ctx: RunContext,
  task: Task,
  { attempt, attemptLimit }: { attempt: number; attemptLimit: number },
  workspace: SliceWorkspace,
  start: ReturnType<typeof startPoint>,
  result: AgentRunResult,
  /** The gate environment with what preparing the workspace added (a virtualenv on PATH, ...). */
  gateEnv: Readonly<Record<string, string>>,
  /** What the integrity checks around the agent's run found (changes outside the worktree, strays). */
  integrity: readonly Finding[],
): Promise<{ kind: SliceOutcome } | { kind: 'retry'; failure: string }> {
  const { journal, deps, goal } = ctx;
  const events: EventInput[] = [
    {
      type: 'agent_finished',
      data: { taskId: task.id, attempt, outcome: result.outcome, durationMs: result.durationMs },
    },
  ];
  const change = await deps.workspaces.capture(workspace, `omk(${goal.id}): ${task.id} ${task.title}`);
  events.push({
    type: 'change_captured',
    data: {
      taskId: task.id,
      committed: change.committed,
      headSha: change.headSha,
      files: change.changedFiles.length,
    },
  });

  // Follow-ups enter the graph only after the same validation as planned tasks, against the
  // budget as it is now (budget-add may have run since this controller started).
  const liveBudget = (await deps.store.read(goal.id)).budget;
  for (const draft of result.followUps) {
    const verdict = validateAddition(journal.graph.tasks, draft, {
      maxTaskTimeMs: liveBudget.timeMs,
      allowedProtectedPaths: allowedProtectedPaths(ctx.goal.options.allowWorkflowEdits),
    });
    if ('task' in verdict) {
      journal.graph = { ...journal.graph, tasks: [...journal.graph.tasks, verdict.task] };
      events.push({ type: 'followup_accepted', data: { taskId: verdict.task.id, proposedBy: task.id } });
    } else {
      events.push({ type: 'followup_rejected', data: { ...verdict.rejection, proposedBy: task.id } });
    }
  }

  const sparse = workspace.mode === 'sparse-worktree';
  const links = linkFindings(
    await deps.integrity.escapingLinks(
      workspace.path,
      change.changedFiles.map((file) => file.path),
    ),
  );
  const gateChecks: Finding[] = [];
  // What the gates will see besides the commit's tree, read right before they run.
  const facts = sparse ? undefined : await deps.workspaces.treeFacts?.(workspace.path, change.headSha);
  const gates = sparse
    ? []
    : await checkedGates(
        ctx,
        workspace.path,
        change.headSha,
        gateChecks,
        () =>
          deps.verify(ctx.gates, {
            cwd: workspace.path,
            sha: change.headSha,
            baseCwd: start.cwd,
            baseSha: start.sha,
            baseline: ctx.baseline ?? null,
            artifactsDir: deps.store.paths(goal.id).gateArtifacts,
            env: gateEnv,
            signal: ctx.signal,
          }),
        true,
        workspace.sliceId,
      );
  if (facts !== undefined) {
    ctx.sliceGateRuns?.push({
      slice: task.id,
      sha: change.headSha,
      tree: facts.tree,
      extra: facts.extra,
      key: gateRunKey(ctx.gates, gateEnv),
      baseSha: start.sha,
      findings: gateChecks.length,
      gates,
    });
  }
  events.push({
    type: 'gates_verified',
    data: {
      taskId: task.id,
      sha: change.headSha,
      ...(facts === undefined ? {} : { tree: facts.tree }),
      outcomes: gates.map((g) => `${g.name}:${g.outcome}`),
      // Gates failing on the base too whose failures could only be compared by exit code: a
      // watcher says so instead of "pre-existing" (gateOutcomeLabel).
      ...withByExitCode(gates),
    },
  });

  const headTexts = await headTestTexts(ctx, workspace.path, change.headSha, change.changedFiles);
  // Only here, per slice: the integrated diff is the slices' diffs merged, so checking it again
  // would only repeat these findings.
  const findings = [
    ...reviewChange(ctx, {
      taskId: task.id,
      writes: task.writes,
      changedFiles: change.changedFiles,
      diff: change.diff,
      gates,
      headTexts,
    }),
    ...(await reviewGateDefinitions(ctx, workspace.path, start.sha, change.headSha, change.changedFiles)),
    ...integrity,
    ...links,
    ...forgedObjectFindings(change.forgedObjects ?? []),
    ...closingReferenceFindings(change.commitMessages ?? []),
    ...gateChecks,
  ];
  await writeReview(ctx, task.id, findings);
  events.push({
    type: 'review_written',
    data: { taskId: task.id, blocking: findings.filter((f) => f.severity === 'blocking').length },
  });

  const failure = describeAttemptFailure({
    agent: result,
    findings,
    failingGates: failingGates(gates),
    workdir: workspace.path,
  });
  const gateMs = gates.reduce((sum, gate) => sum + gate.durationMs, 0);
  // An earlier attempt's tree is not this head's.
  const { gatesTree: _earlier, ...record } = sliceRecord(journal.execution, task.id);
  journal.execution = withSlice(journal.execution, {
    ...record,
    branch: workspace.branch,
    workspace: workspace.path,
    workspaceMode: workspace.mode,
    fallbackReason: workspace.fallbackReason,
    headSha: change.headSha,
    changedFiles: change.changedFiles,
    gates,
    ...(facts === undefined ? {} : { gatesTree: facts.tree }),
    findings,
    lastFailure: failure,
    agentProcess: null,
  });
  journal.execution = {
    ...journal.execution,
    agentRuns: [...journal.execution.agentRuns, agentRunRecord(task.id, attempt, deps.agent.name, result)],
  };
  const spend = {
    timeMs: result.durationMs + gateMs,
    tokens: result.usage.tokens ?? 0,
    usd: result.usage.usd ?? 0,
  };
  const spendNote = `${task.id} attempt ${attempt}`;

  if (ctx.signal.aborted && gates.some((gate) => gate.outcome === 'skipped')) {
    journal.updateTask(task.id, { status: 'pending', attempts: attempt - 1 });
    await journal.save(events, { spend, spendNote });
    return { kind: 'interrupted' };
  }
  if (failure === null) {
    // Tests the change edited that went from failing to passing show no fix (fail-to-pass.ts).
    const edited = await testsEditedAtHead(ctx, workspace.path, change, headTexts);
    const byEdit = failToPassByEdit(gates, edited).length;
    // Published before the slice counts as done, so no record ever names a branch only this
    // machine has.
    if (change.committed || change.changedFiles.length > 0)
      await publishSlice(ctx, task.id, workspace.branch, change.headSha);
    journal.updateTask(task.id, { status: 'done' });
    events.push({ type: 'task_done', data: { taskId: task.id, attempt, headSha: change.headSha } });
    await journal.save(events, { spend, spendNote });
    deps.reporter.info(
      `[${task.id}] done: ${change.changedFiles.length} file(s) changed, ${describeGates(gates, sparse, byEdit)}`,
    );
    return { kind: 'done' };
  }
  const goalNow = await deps.store.read(goal.id);
  const outOfBudget =
    exhaustedLimit(goalNow.budget, { ...journal.spent, timeMs: journal.spent.timeMs + spend.timeMs }) !==
    null;
  // An agent (or the code it wrote, in its gates) that reached outside its worktree or left a
  // process behind may have left more than omk can see or undo: a process out of reach, a change
  // it cannot compare. Nothing after it can be trusted, so the slice gets no other attempt.
  const breached = [...integrity, ...gateChecks].some((finding) => finding.severity === 'blocking');
  const retriesLeft = !breached && attempt < lastAttempt(ctx, task);
  if (retriesLeft && attempt < attemptLimit && !outOfBudget) {
    journal.updateTask(task.id, { status: 'pending' });
    events.push({ type: 'task_retry', data: { taskId: task.id, attempt, failure: failure.slice(0, 2_000) } });
    await journal.save(events, { spend, spendNote });
    deps.reporter.info(
      `[${task.id}] attempt ${attempt} failed; retrying: ${failureHeadline(failure, gates)}`,
    );
    return { kind: 'retry', failure };
  }
  if (retriesLeft && !outOfBudget) {
    // This run gives the slice no more attempts (no --until-ready): it waits for the next run.
    const left = lastAttempt(ctx, task) - attempt;
    journal.updateTask(task.id, { status: 'pending' });
    events.push({
      type: 'task_pending',
      data: { taskId: task.id, attempt, attemptsLeft: left, failure: failure.slice(0, 2_000) },
    });
    await journal.save(events, { spend, spendNote });
    deps.reporter.info(stillPendingMessage(ctx, task.id, attempt, left, failureHeadline(failure, gates)));
    return { kind: 'deferred-retry' };
  }
  if (outOfBudget && retriesLeft) {
    // Retries are left but the budget is not: the slice waits for budget-add and resume.
    journal.updateTask(task.id, { status: 'pending' });
    await journal.save(events, { spend, spendNote });
    return { kind: 'deferred' };
  }
  journal.updateTask(task.id, { status: 'failed' });
  journal.execution = {
    ...journal.execution,
    failures: [
      ...journal.execution.failures,
      {
        code: 'slice_failed',
        message: breached
          ? `Slice ${task.id} failed: its attempt ${attempt} reached outside its worktree, so it is not attempted again.`
          : `Slice ${task.id} failed after ${attempt} attempt(s).`,
        evidence: failure.slice(-8_000),
      },
    ],
  };
  events.push({
    type: 'task_failed',
    data: { taskId: task.id, attempts: attempt, failure: failure.slice(0, 2_000) },
  });
  await journal.save(events, { spend, spendNote });
  deps.reporter.warn(`[${task.id}] failed after ${attempt} attempt(s): ${failureHeadline(failure, gates)}`);
  return { kind: 'failed' };
}

function describeGates(gates: readonly GateEvidence[], sparse: boolean, byEdit: number): string {
  if (sparse) return 'gates deferred to the integrated tree (sparse worktree)';
  if (gates.length === 0) return 'no gates';
  // Only a gate that passed is called passed; the others (flaky included) are named by their outcome.
  const passed = gates.filter((gate) => gate.outcome === 'passed').length;
  // A gate failing on the base too is "pre-existing" only when its failures were compared one by
  // one; judged by exit code, the line says so (gateOutcomeLabel).
  const others = new Map<string, number>();
  for (const gate of gates) {
    if (gate.outcome === 'passed') continue;
    const label = gateOutcomeLabel(gate);
    others.set(label, (others.get(label) ?? 0) + 1);
  }
  // Outcome words in the gates' order; the exit-code words last, so their ", judged by exit code"
  // reads as theirs alone.
  const byExitCode = (label: string) => (label === EXIT_CODE_LABEL ? 1 : 0);
  const rest = [...others]
    .sort(([a], [b]) => byExitCode(a) - byExitCode(b))
    .map(([label, count]) => `${count} ${label}`);
  const tests = testCounts(gates, byEdit);
  const diagnostics = diagnosticCounts(gates);
  return (
    `gates ${passed}/${gates.length} passed${rest.length === 0 ? '' : ` (${rest.join(', ')})`}` +
    (tests === '' ? '' : `; tests: ${tests}`) +
    (diagnostics === '' ? '' : `; diagnostics: ${diagnostics}`)
  );
}

/** A failed attempt with retries left that this run does not use: what happens and what to do. */
function stillPendingMessage(
  ctx: RunContext,
  taskId: string,
  attempt: number,
  left: number,
  /** One line (failureHeadline). */
  failure: string,
) {
  const hint = wordHint(pendingHint(ctx.goal.id), ctx.deps.steps ?? NEUTRAL_STEPS);
  return `[${taskId}] attempt ${attempt} failed; the slice stays pending with ${left} attempt(s) left: ${failure}\n${hint}`;
}

/** As data, so each front door spells the step its own way. */
export function pendingHint(goalId: string): Hint {
  return ['Run again with ', { step: 'resume', goalId }, ' to give it its next attempt.'];
}

/** `byExitCode` for a gates_verified event: the gates judged pre-existing by exit code alone, when there are any. */
function withByExitCode(gates: readonly GateEvidence[]): { byExitCode?: string[] } {
  const names = gates.filter((gate) => preExistingBasis(gate) === 'exit-code').map((gate) => gate.name);
  return names.length > 0 ? { byExitCode: names } : {};
}

/**
 * Publishes a slice's branch where the host shares them (a fan-out job, the bot): the first time
 * fast-forward only; a slice rerun after it was published (reopened until ready, its retry built
 * from the base) replaces its own earlier head, with a lease on it. A branch kept until the goal
 * is accepted is saved with the goal instead, wherever the host saves those (`keptBundles`); so
 * is every slice of a host that saves them but publishes none (the Action's single-job run).
 */
export async function publishSlice(
  ctx: RunContext,
  taskId: string,
  branch: string,
  sha: string,
): Promise<void> {
  const { deps, journal } = ctx;
  // A pushed branch runs its own workflows in the repository's CI: one delivery keeps local (a
  // workflow change the goal was created to make, until a person accepts the goal) is not
  // published either; it is saved with the goal instead (delivery/kept-bundle.ts), so the job
  // that integrates it (fan-out's integrate, a resumed run's checkout) can restore it. One kept
  // for security is not saved.
  const kept = keptSlice(journal.execution, taskId, branch);
  const save = async () => {
    const base = ctx.goal.repo.baseSha;
    if (deps.keptBundles === undefined || base === null) return;
    const saved = { sliceId: taskId, branch, headSha: sha, file: keptBundleFile(taskId) };
    const bundleDeps = { store: deps.store, bundles: deps.keptBundles };
    await saveKeptBundles(bundleDeps, ctx.goal.id, ctx.goal.repo.root, base, [saved]);
  };
  if (kept !== null) {
    if (kept.code === 'awaits_acceptance') await save();
    return;
  }
  // A host that publishes no slice (the Action's `run`): the slice's commits are on this runner
  // only until delivery pushes them (never, under policy local), and a job cancelled now would
  // lose them with it. Saved with the goal instead of pushed: a push would start the
  // repository's CI, which policy local must not, and a later job restores it (goal-branches.ts).
  if (deps.publishBranch === undefined) {
    await save();
    return;
  }
  const published = sliceRecord(journal.execution, taskId).publishedSha;
  if (published === sha) return;
  await deps.publishBranch(branch, sha, published ?? undefined);
  journal.execution = withSlice(journal.execution, {
    ...sliceRecord(journal.execution, taskId),
    publishedSha: sha,
  });
}
