import { BusyError, IllegalTransitionError } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import { controllerAlive } from '../goal/actions.js';
import { holdGoal } from '../goal/controller-hold.js';
import { gateDecisions, gatesRequiredEvent, wantedGates } from '../goal/gate-plan.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import { integrationBranchName } from '../graph/branches.js';
import type { Task } from '../graph/schema.js';
import { movedBranchFindings, movedIntegrationFindings } from '../integrity/findings.js';
import { NEUTRAL_STEPS, type StepSpelling, wordHint } from '../next-steps.js';
import type { HostInfo } from '../ports.js';
import { budgetSpentGap } from '../proof/gaps.js';
import { machineRoots, recordedAgent, relativizer } from '../proof/machine-paths.js';
import type { GateEvidence, Proof } from '../proof/schema.js';
import { sandboxDecisionRecord as sandboxDecision } from '../sandbox/decide.js';
import { readDecisions } from '../state/decisions.js';
import { runGatesOnBase } from './base-run.js';
import { type ControllerDeps, createRunContext, type RunContext } from './context.js';
import { sliceBranches, sliceRecord, withSlice } from './execution-state.js';
import { recoverFixTasks, runPendingFixes } from './fix-task.js';
import { recordingIntegrationMoves } from './integration-head.js';
import { integrateAndRepair, recoverIntegrationRepair } from './integration-repair.js';
import { ExecutionJournal } from './journal.js';
import {
  classEvidenceReopenings,
  type HeldSlice,
  heldEvent,
  type Reopening,
  reopenSlices,
  restartIntegration,
  slicesToReopen,
} from './reopen.js';
import { planRequiredGates } from './required-gates.js';
import { blockedByFailure, exhaustedLimit, readyTasks } from './scheduler.js';
import { attemptLimit, failingGates, runSlice, type SliceOutcome } from './slice.js';

const EXECUTABLE_FROM: readonly GoalStatus[] = ['planned', 'not_ready', 'running', 'interrupted'];
/** Re-verifying (no dispatch) may also settle a goal again that is ready or failed. */
const VERIFIABLE_FROM: readonly GoalStatus[] = [...EXECUTABLE_FROM, 'ready', 'failed'];
/** Until ready, a failed goal runs again too: its slices whose checks do not hold are reopened. */
const UNTIL_READY_FROM: readonly GoalStatus[] = [...EXECUTABLE_FROM, 'failed'];
/** The settled statuses from which an until-ready run reopens slices. */
const REOPENABLE: readonly GoalStatus[] = ['not_ready', 'failed'];

export interface ExecuteOptions {
  /** Retry slices up to their max retries in this run (else one attempt each). */
  untilReady: boolean;
  /** Aborts the run from outside (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
  /** False: start no slice, only integrate what is done (the fan-out's integrate step). */
  dispatch?: boolean;
  /**
   * Repair a merged tree that fails where its slices passed, or whose merge conflicts, with the
   * integration-fix task (default: an until-ready run that dispatches). The fan-out's integrate
   * step repairs without retrying slices: their jobs did that on their runners.
   */
  repair?: boolean;
  /**
   * Take a settled `not_ready` or `failed` goal and reopen, with a new round of attempts, its
   * slices whose checks do not hold (default: an until-ready run that dispatches). The fan-out's
   * integrate step does not: the slice jobs ran their rounds; it still reruns in place the done
   * slices whose oracle does not hold on the integrated tree, within their round.
   */
  reopenSettled?: boolean;
}

export interface ExecuteResult {
  goal: GoalRecord;
  proof: Proof;
  /** Why the run stopped before finishing, if it did. */
  stoppedBy: 'pause' | 'cancel' | 'signal' | 'budget' | null;
}

/**
 * The controller: takes the goal, runs ready slices in dependency waves up to max-agents, checks the
 * budget before each dispatch, integrates what is done, and settles the goal at its proof's status.
 * Finished slices are not rerun, except until ready when the integrated tree shows their oracle
 * does not hold (they are reopened within their attempts); the graph's pending review fixes run
 * before integrating (`fix-task.ts`); a run interrupted at any point continues with `resume`.
 */
export async function executeGoal(
  deps: ControllerDeps,
  goalId: string,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  // The goal's directory is held open from before it is taken until after it is let go: another
  // omk tells this controller alive by it, whatever an agent writes in goal.json meanwhile.
  const release = await holdGoal(deps.store, goalId);
  try {
    return await executeHeld(deps, goalId, options);
  } finally {
    await release();
  }
}

async function executeHeld(
  held: ControllerDeps,
  goalId: string,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const { store } = held;
  const journal = await ExecutionJournal.open(store, goalId);
  // Each of omk's moves of the integration branch is recorded, for the next controller to compare.
  const deps: ControllerDeps = {
    ...held,
    workspaces: recordingIntegrationMoves(held.workspaces, journal, goalId),
  };
  const reopen = options.reopenSettled ?? (options.untilReady && options.dispatch !== false);
  const allowed = options.dispatch === false ? VERIFIABLE_FROM : reopen ? UNTIL_READY_FROM : EXECUTABLE_FROM;
  const goal = await takeControl(deps, journal, goalId, { allowed, reopen });
  const controller = new AbortController();
  let stoppedBy: ExecuteResult['stoppedBy'] = null;
  const stop = (why: NonNullable<ExecuteResult['stoppedBy']>) => {
    stoppedBy ??= why;
    controller.abort();
  };
  const onSignal = () => stop('signal');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) onSignal();

  const watcher = watchGoal(deps, journal, goalId, stop);
  try {
    await runAfterTakeover();
  } catch (error) {
    // The goal is ours and marked running: leave it interrupted (resumable), never running with
    // nobody running it, and say why.
    watcher.stop();
    options.signal?.removeEventListener('abort', onSignal);
    // The event log travels with the goal: the error names no directory of this machine there
    // (the operator's terminal still gets it whole).
    const local = relativizer(machineRoots(store.deps.stateRoot, goal, journal.execution));
    const recorded = local(errorText(error));
    await journal.save([{ type: 'execution_interrupted', data: { by: 'error', error: recorded } }], {
      goal: (g) => ({
        ...g,
        status: g.status === 'running' ? 'interrupted' : g.status,
        resumeTo: 'running',
        controller: null,
      }),
    });
    throw error;
  }
  return settle(journal, stoppedBy);

  async function runAfterTakeover(): Promise<void> {
    try {
      const ctx = createRunContext(deps, journal, goal, controller.signal);
      await adoptFinishedHeads(deps, journal, goal);
      if (options.dispatch !== false && (await gatesCannotStart(ctx))) return;
      // Review fixes asked on the goal's PRs run first, on their PRs' branches.
      await runPendingFixes(ctx);
      const untilReady = options.untilReady && options.dispatch !== false;
      let complete = false;
      for (let round = 1; ; round += 1) {
        const stopReason =
          options.dispatch === false
            ? null
            : await runWaves(ctx, goal.options.maxAgents, options.untilReady, round === 1);
        if (stopReason === 'budget') stoppedBy ??= 'budget';
        if (controller.signal.aborted || stoppedBy !== null) break;
        // Until ready, a merged tree that fails where its slices passed is repaired by the agent.
        await integrateAndRepair(ctx, options.repair ?? untilReady);
        journal.execution = { ...journal.execution, state: 'complete' };
        complete = true;
        // Until ready, slices whose oracle does not hold on the integrated tree (a fix goal's
        // target test still failing) run again within their attempts, in this run.
        if (!untilReady || controller.signal.aborted || !(await reopenNotReady(ctx))) break;
        complete = false;
      }
      // A complete run is settled below; one that stopped early records why.
      if (!complete && stoppedBy === 'budget') {
        const fresh = await store.read(goalId);
        const which = exhaustedLimit(fresh.budget, journal.spent) ?? 'time';
        journal.execution = {
          ...journal.execution,
          state: 'budget_exhausted',
          gaps: [
            ...journal.execution.gaps.filter((gap) => gap.code !== 'budget_exhausted'),
            budgetSpentGap(which, goalId),
          ],
        };
      } else if (!complete) {
        journal.execution = { ...journal.execution, state: 'interrupted' };
        // A cancelled goal never integrates; a paused or interrupted one keeps it for its resume.
        if (stoppedBy === 'cancel') await ctx.preparedIntegration?.discard();
      }
    } finally {
      watcher.stop();
      options.signal?.removeEventListener('abort', onSignal);
    }
  }
}

/**
 * Before the first agent of this run: the gates on the base, once. True when a required gate
 * cannot start there; the run then ends with its gaps and no agent is started.
 */
async function gatesCannotStart(ctx: RunContext): Promise<boolean> {
  const pending = ctx.journal.graph.tasks.some((task) => task.status === 'pending');
  if (!pending || ctx.gates.length === 0 || ctx.signal.aborted) return false;
  const { baseline, blocked } = await runGatesOnBase(ctx);
  // What the base's gates built (in the integration's cache) is the slices' start, when they have none.
  if (await ctx.deps.integrationCache?.seedSlices()) {
    ctx.deps.reporter.info("the slices' build cache starts from what the gates on the base built");
  }
  ctx.baseline = baseline;
  ctx.journal.execution = { ...ctx.journal.execution, baseGates: [...baseline.gates] };
  if (blocked.length === 0) return false;
  ctx.journal.execution = {
    ...ctx.journal.execution,
    state: 'not_started',
    gaps: [...ctx.journal.execution.gaps, ...blocked],
  };
  return true;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2_000);
}

/**
 * Where the goal's record says omk captured its finished slices' branches, and where it last left
 * its integration branch, told to the workspaces before any run: a resumed goal's new process has
 * moved none of them, yet each run's integrity check must tell one that something else moved since
 * (and put it back), as within one process. The record, not a file of its own: the state root is
 * checked while agents run. One found moved already is put back now and named, blocking, under
 * its slice, or for the integration among the findings of the runs on its branch (the proof
 * carries them). A checkout that does not outlive a run takes the integration branch from the
 * remote, where delivery last pushed it: that one is not compared there.
 */
async function adoptFinishedHeads(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goal: GoalRecord,
): Promise<void> {
  const done = journal.graph.tasks.filter((task) => task.status === 'done');
  const { heads } = sliceBranches(journal.execution, done);
  const integration = integrationBranchName(goal.id);
  const { integrationHead } = journal.execution;
  const adopted =
    integrationHead === null || deps.branchesFromRemote === true
      ? heads
      : { ...heads, [integration]: integrationHead };
  const moved = await deps.workspaces.adoptRecordedHeads(goal.repo.root, goal.id, adopted);
  if (moved.length === 0) return;
  // Named under the slice whose branch it is: what moved it is not known.
  for (const task of done) {
    const record = sliceRecord(journal.execution, task.id);
    const own = moved.filter((m) => m.branch === record.branch);
    if (own.length === 0) continue;
    journal.execution = withSlice(journal.execution, {
      ...record,
      findings: [...record.findings, ...movedBranchFindings(own)],
    });
  }
  const integrated = moved.filter((m) => m.branch === integration);
  if (integrated.length > 0) {
    journal.execution = {
      ...journal.execution,
      integrationIntegrity: [
        ...journal.execution.integrationIntegrity,
        ...movedIntegrationFindings(integrated),
      ],
    };
  }
  await journal.save([]);
}

/** Marks the goal running under this process; a live controller elsewhere keeps it. */
async function takeControl(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goalId: string,
  { allowed, reopen }: { allowed: readonly GoalStatus[]; reopen: boolean },
): Promise<GoalRecord> {
  const { store } = deps;
  const goal = await store.read(goalId);
  if (!allowed.includes(goal.status)) {
    throw new IllegalTransitionError(`Cannot execute goal ${goalId}: it is ${goal.status}.`, {
      hint:
        goal.status === 'paused'
          ? ['Resume it with ', { step: 'resume', goalId }, '.']
          : goal.status === 'blocked_on_human'
            ? ['A human must decide first: see ', { step: 'proof', goalId }, '.']
            : goal.status === 'failed'
              ? 'Execute it again until ready to reopen its failed slices, or start a new goal.'
              : `A ${goal.status} goal does not run again; start a new goal.`,
    });
  }
  if (
    goal.status === 'running' &&
    goal.controller &&
    controllerAlive(store, goal) &&
    goal.controller.pid !== store.deps.host.pid
  ) {
    throw new BusyError(`Goal ${goalId} is already running (controller pid ${goal.controller.pid}).`, {
      hint: ['Follow it with ', { step: 'status', goalId }, '.'],
    });
  }
  if (!goal.repo.baseSha) {
    throw new IllegalTransitionError(`Goal ${goalId} has no base commit to work from.`, {
      hint: 'Commit at least once in the repository, then start a new goal.',
    });
  }
  // From the class's whole ask: planning reconciled it with the same base commit, but the config
  // (the checkout's) may have added or removed a gate since.
  const wanted = wantedGates(goal.oracle);
  const plan = planRequiredGates(wanted, deps.gates);
  const absentGates = wanted.filter((kind) => !plan.required.includes(kind));
  // Planning (or an earlier run) recorded the same reasons: each is in decisions.jsonl once.
  const recorded = new Set(
    (await readDecisions(store.files, store.paths(goalId).decisions))
      .filter((decision) => decision.kind === 'gates')
      .map((decision) => decision.reason),
  );
  const events: EventInput[] = [];
  const previous = journal.execution.controller;
  for (const task of journal.graph.tasks.filter((t) => t.status === 'running')) {
    // The previous controller died while this slice ran: stop its orphaned agent (it would keep
    // writing into the worktree), quarantine the lease, and run the slice again.
    const orphan = sliceRecord(journal.execution, task.id).agentProcess;
    const stopped = orphan !== null && stopOrphan(orphan, store.deps.host);
    journal.updateTask(task.id, { status: 'pending', attempts: Math.max(0, task.attempts - 1) });
    journal.execution = withSlice(journal.execution, {
      ...sliceRecord(journal.execution, task.id),
      agentProcess: null,
    });
    events.push({
      type: 'worker_dead',
      data: {
        taskId: task.id,
        previousController: previous?.pid ?? null,
        orphanAgent: orphan?.pid ?? null,
        orphanStopped: stopped,
      },
    });
  }
  events.push(...(await recoverIntegrationRepair(deps, journal, previous?.pid ?? null)));
  events.push(...(await recoverFixTasks(deps, journal, previous?.pid ?? null)));
  if (reopen && REOPENABLE.includes(goal.status)) {
    // Each slice reopened here gets a new round of attempts, the done ones built on it too.
    const { reopen: reopenings, held } = slicesToReopen(journal.graph.tasks, journal.execution, blocks, {
      canRetry: () => true,
    });
    const wasDone = reopenings.some((r) => journal.task(r.taskId).status === 'done');
    events.push(...reopenSlices(journal, reopenings), ...sayHeld(deps, held));
    if (wasDone) {
      const at = { id: goal.id, repoRoot: goal.repo.root, baseSha: goal.repo.baseSha };
      events.push(...(await restartIntegration(deps, journal, at)));
    }
  }
  const now = store.deps.clock.nowIso();
  const host = store.deps.host;
  events.push(
    {
      type: 'execution_started',
      data: { pid: host.pid, host: host.hostname, agent: recordedAgent(deps.agent.name, goal.repo.root) },
    },
    gatesRequiredEvent(plan.required, plan.gates),
  );
  journal.execution = {
    ...journal.execution,
    state: 'in_progress',
    gaps: [],
    controller: { pid: host.pid, host: host.hostname },
  };
  await journal.save(events, {
    decisions: [
      ...gateDecisions(plan.notes.filter((note) => !recorded.has(note))),
      ...(deps.sandbox === undefined ? [] : [sandboxDecision(deps.sandbox)]),
    ],
    goal: (g) => {
      // Checked again under the lock: a pause or cancel that landed since the first read wins.
      if (!allowed.includes(g.status)) {
        throw new IllegalTransitionError(
          `Goal ${goalId} became ${g.status} before execution started; nothing ran.`,
          {
            hint: g.status === 'paused' ? ['Resume it with ', { step: 'resume', goalId }, '.'] : undefined,
          },
        );
      }
      return {
        ...g,
        status: 'running',
        resumeTo: null,
        oracle: { ...g.oracle, requiredGates: plan.required, absentGates },
        controller: { pid: host.pid, host: host.hostname, startedAt: now, heartbeatAt: now },
      };
    },
  });
  const recovered = await deps.workspaces.recoverStaleLocks(goal.repo.root, 10 * 60_000);
  if (recovered.length > 0) {
    await journal.save([{ type: 'lock_recovered', data: { why: 'stale git lock files', paths: recovered } }]);
  }
  return store.read(goalId);
}

/** The proof's gaps for the evidence a goal's class needs (`classEvidenceGaps` in proof/gaps.ts). */
const CLASS_EVIDENCE_GAPS: readonly string[] = [
  'fix_no_fail_to_pass',
  'greenfield_no_new_test',
  'hardening_no_security_check',
  'performance_no_benchmark',
  'performance_not_measured',
];

/**
 * The class-evidence gaps a slice's agent can close: a test that shows the fix, a new test. The
 * others need a gate in .omk/config.yml (a benchmark, a security scanner), which a slice does not
 * edit: retrying its agent would only spend attempts.
 */
const SLICES_CAN_CHANGE: readonly string[] = ['fix_no_fail_to_pass', 'greenfield_no_new_test'];

/** The `slice_reopen_held` events of slices that stay as they are, each said on the terminal. */
function sayHeld(deps: ControllerDeps, held: readonly HeldSlice[]): EventInput[] {
  for (const slice of held) {
    deps.reporter.warn(
      `[${slice.taskId}] not reopened (${slice.why}: ${slice.detail}): done slices are built on it (${slice.dependents.join(', ')}) and not all of them have attempts left`,
    );
  }
  return held.map(heldEvent);
}

/** A required gate that did not pass blocks a done slice, as it would have blocked its attempt. */
function blocks(gate: GateEvidence): boolean {
  return failingGates([gate]).length > 0;
}

/** Kills an orphaned agent's process group if it runs on this host; true when it was alive. */
function stopOrphan(orphan: { pid: number; host: string }, host: HostInfo): boolean {
  if (orphan.host !== host.hostname || !host.isAlive(orphan.pid)) return false;
  return host.killGroup(orphan.pid);
}

/**
 * Once every agent of the first dispatch runs, the controller mostly waits on them: the time to
 * make the integration workspace, so integrating later does not begin with a checkout.
 */
function prepareIntegrationWhenAgentsRun(ctx: RunContext, agents: number): void {
  let started = 0;
  ctx.agentStarted = () => {
    started += 1;
    if (started !== agents) return;
    ctx.preparedIntegration = ctx.deps.workspaces.prepareIntegration({
      repoRoot: ctx.goal.repo.root,
      workspaceRoot: ctx.deps.workspaceRoot,
      goalId: ctx.goal.id,
      baseSha: ctx.base.baseSha,
    });
  };
}

/**
 * After an until-ready run's integration: when the proof would not be ready and the integrated
 * tree fails a gate the slices can change (a fix goal's target test still failing, which each
 * slice saw as failing on the base too), the done slices with attempts left in their round are
 * reopened, told what the integrated tree fails, and the integration starts again from the base;
 * the done slices built on one run again after it, from its new head (it is held when one of them
 * has no attempt left).
 * When no gate fails there yet the goal's class lacks its evidence (a fix whose agent rewrote the
 * failing test's expectation, or whose change did not fix it), the done slices that can change
 * that are reopened (`classEvidenceReopenings`), told the gap and what to do about it. False when
 * nothing is reopened: the run settles. Each reopening spends an attempt, so the loop ends.
 */
async function reopenNotReady(ctx: RunContext): Promise<boolean> {
  const { journal, deps, goal } = ctx;
  await journal.save([]);
  const preview = await journal.preview();
  if (preview.status !== 'not_ready') return false;
  // Why, as the proof says it: the gates listed in `detail` may fail only as on the base (a lint
  // debt), while what keeps the goal short of ready is the evidence its class needs.
  const gaps = preview.knownGaps
    .filter((gap) => CLASS_EVIDENCE_GAPS.includes(gap.code))
    .map((gap) => ({
      code: gap.code,
      message: gap.message,
      hint: gap.hint === undefined ? '' : wordHint(gap.hint, AGENT_STEPS),
    }));
  const why = gaps.map((gap) => gap.message);
  const canRetry = (task: Task) =>
    task.attempts < sliceRecord(journal.execution, task.id).roundStart + task.maxRetries + 1;
  // Within the run, only what the integrated tree fails: a failed slice has run its round.
  const { reopen: failing, held: heldOnTree } = slicesToReopen(
    journal.graph.tasks,
    journal.execution,
    blocks,
    {
      canRetry,
      only: (r) => r.why === 'integration_blocks',
    },
  );
  const told = why.length === 0 ? '' : `\n\n${why.join('\n')}`;
  // The class's evidence is asked of the slices only when no gate fails on the integrated tree.
  const byEvidence =
    failing.length > 0
      ? { reopen: [], held: [] }
      : classEvidenceReopenings(
          journal.graph.tasks,
          journal.execution,
          gaps.filter((gap) => SLICES_CAN_CHANGE.includes(gap.code)),
          canRetry,
        );
  const held = [
    ...heldOnTree,
    ...byEvidence.held.filter((slice) => !heldOnTree.some((other) => other.taskId === slice.taskId)),
  ];
  const left: Reopening[] =
    failing.length > 0
      ? failing.map((r) => ({
          ...r,
          newRound: false,
          ...(r.evidence === undefined ? {} : { evidence: `${r.evidence}${told}` }),
        }))
      : byEvidence.reopen;
  if (left.length === 0) {
    if (held.length > 0) await journal.save(sayHeld(deps, held));
    return false;
  }
  const events = [...reopenSlices(journal, left), ...sayHeld(deps, held)];
  for (const r of left) {
    const reason = why.length === 0 ? '' : `: ${why.join(' ')}`;
    deps.reporter.info(
      r.why === 'dependency_reopened'
        ? `[${r.taskId}] ${r.detail}, which it is built on, is retried; retrying the slice after it`
        : `[${r.taskId}] the integrated tree is not ready (${r.detail}); retrying the slice${reason}`,
    );
  }
  const baseSha = goal.repo.baseSha ?? ctx.base.baseSha;
  events.push(
    ...(await restartIntegration(deps, journal, { id: goal.id, repoRoot: goal.repo.root, baseSha })),
  );
  await journal.save(events);
  return true;
}

/**
 * A hint's steps as a retrying agent reads them: "run again" is its own retry, not a command to
 * type (the operator's words for the steps are the front doors').
 */
const AGENT_STEPS: StepSpelling = (step) => (step.step === 'run' ? 'run' : NEUTRAL_STEPS(step));

/** Dispatches ready slices up to maxAgents until nothing more can start. */
async function runWaves(
  ctx: RunContext,
  maxAgents: number,
  untilReady: boolean,
  prepareIntegration: boolean,
): Promise<'budget' | null> {
  const { journal } = ctx;
  let firstDispatch = true;
  const running = new Map<string, Promise<SliceOutcome>>();
  const settled = new Set<string>();
  let budgetStop = false;
  for (;;) {
    const skipped = blockedByFailure(journal.graph.tasks);
    if (skipped.length > 0) {
      for (const { task } of skipped) journal.updateTask(task.id, { status: 'skipped' });
      await journal.save(
        skipped.map(({ task, dependency }) => ({
          type: 'task_skipped',
          data: { taskId: task.id, because: dependency },
        })),
      );
    }
    if (!ctx.signal.aborted && !budgetStop) {
      for (const task of readyTasks(journal.graph.tasks)) {
        if (running.size >= maxAgents) break;
        if (running.has(task.id) || settled.has(task.id)) continue;
        running.set(task.id, runSlice(ctx, task.id, attemptLimit(ctx, task, untilReady)));
      }
      if (firstDispatch && prepareIntegration && running.size > 0)
        prepareIntegrationWhenAgentsRun(ctx, running.size);
      firstDispatch = false;
    }
    if (running.size === 0) return budgetStop ? 'budget' : null;
    const [id, outcome] = await Promise.race(
      [...running.entries()].map(([taskId, promise]) => promise.then((value) => [taskId, value] as const)),
    );
    running.delete(id);
    settled.add(id);
    if (outcome === 'deferred') budgetStop = true;
  }
}

/** Polls goal.json for pause/cancel from other processes and keeps the heartbeat fresh. */
function watchGoal(
  deps: ControllerDeps,
  journal: ExecutionJournal,
  goalId: string,
  stop: (why: 'pause' | 'cancel') => void,
): { stop(): void } {
  const pollMs = deps.pollMs ?? 500;
  let beats = 0;
  const timer = setInterval(() => {
    void (async () => {
      try {
        const goal = await deps.store.read(goalId);
        if (goal.status === 'paused') stop('pause');
        else if (goal.status === 'cancelled') stop('cancel');
        // An edit of goal.json the store put back in memory is written back at once, not at the
        // next heartbeat: until then it is what other omk processes read.
        else if (++beats % Math.max(1, Math.round(10_000 / pollMs)) === 0 || deps.store.owesRecord(goalId)) {
          await journal.save([], {
            goal: (g) =>
              g.controller
                ? { ...g, controller: { ...g.controller, heartbeatAt: deps.store.deps.clock.nowIso() } }
                : g,
          });
        }
      } catch (error) {
        deps.reporter.warn(`goal watch: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
  }, pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Writes execution evidence, rebuilds the proof and settles the goal's status. */
async function settle(
  journal: ExecutionJournal,
  stoppedBy: ExecuteResult['stoppedBy'],
): Promise<ExecuteResult> {
  const stateEvent: EventInput =
    stoppedBy === 'signal' || stoppedBy === 'pause' || stoppedBy === 'cancel'
      ? { type: 'execution_interrupted', data: { by: stoppedBy } }
      : {
          type: stoppedBy === 'budget' ? 'budget_exhausted' : 'execution_finished',
          data: { state: journal.execution.state },
        };
  await journal.save([stateEvent]);
  const proof = await journal.finish((proof, goal) => {
    // A pause or cancel from another process keeps its status; a signal leaves it resumable.
    if (goal.status === 'paused' || goal.status === 'cancelled') return { ...goal, controller: null };
    if (stoppedBy === 'signal')
      return { ...goal, status: 'interrupted', resumeTo: 'running', controller: null };
    return { ...goal, status: proof.status, controller: null };
  });
  return { goal: await journal.store.read(journal.goalId), proof, stoppedBy };
}
