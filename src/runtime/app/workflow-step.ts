import type { DeliveryPlan } from '../delivery/plan.js';
import type { MergeMethod } from '../forge/port.js';
import type { ChangeRequest, ReviewReplies } from '../forge/review-replies.js';
import type { GoalRecord } from '../goal/schema.js';
import type { Proof } from '../proof/schema.js';
import type { CreateGoalRequest } from '../requests.js';
import type { RemoteStateStore } from '../state/remote.js';
import { type AgentChoice, type PreparedAgent, prepareAgent } from './agent.js';
import type { AppDeps, SharedState } from './deps.js';
import { executeAndDeliver } from './execute.js';
import { executeOneSlice, type FanOutHost, integrateSlices } from './fan-out.js';
import { fixPullRequest } from './fix.js';
import { goalReport, sliceStatusIn, unknownSlice } from './goal-report.js';
import { fixNote } from './goal-steps.js';
import { integratedNotes, sliceJobReport } from './judgement.js';
import { mergeIntegrator } from './merge.js';
import type { AppNote } from './notes.js';
import { openPullRequests } from './open-pr.js';
import type { SliceWave } from './queries.js';
import { fixRan } from './reports.js';
import { type ReviewAsk, type ReviewForge, reviewFixRequests } from './review-fix.js';
import { startSharedGoal } from './shared-start.js';
import { withPreparedSharedGoal } from './shared-step.js';
import { proofNotice, type SharedStepNotice, savedNotice } from './shared-step-notices.js';
import { SiblingCellError, type WorkflowRunPlace, workflowGoalIdentity } from './workflow-cell.js';
import { goalBranchesFor, workflowFixStart } from './workflow-fix.js';
import { type WorkflowStep, workflowDelivery } from './workflow-steps.js';

/**
 * Why a workflow step refuses before it does anything, as data the host words as its error: the
 * goal is not on the shared state, the slice is not in its plan, another cell of the matrix job
 * holds the goal, or a fix step's event is not a review of a PR that names a goal.
 */
export type WorkflowRefusal =
  | { code: 'not_on_state_branch'; goalId: string; missing: 'branch' | 'goal' }
  | { code: 'unknown_slice'; goalId: string; slice: string; slices: string[] }
  | { code: 'sibling_cell'; error: SiblingCellError }
  | { code: 'not_a_review' }
  | { code: 'not_an_omk_pr'; pr: number | null; branch: string | null };

/** What a workflow step tells its log while it works, at the level given. */
export type WorkflowStepNotice =
  | SharedStepNotice
  | { kind: 'pulled'; level: 'info'; goalId: string; commit: string }
  | { kind: 'merged'; level: 'info'; pr: number; sha: string }
  | { kind: 'runner_branches'; level: 'warn'; why: string };

/** Why a step that ran fails anyway (beyond its proof): a refused merge, an unfinished slice. */
export type WorkflowStepFailure =
  | { code: 'merge_blocked'; goalId: string; pr: number; blockedBy: string; reasons: string[] }
  | { code: 'slice_unfinished'; slice: string; outcome: string; failure: string | null };

/** What a step reports besides its proof: the runtime's notes, and a few of a workflow's own. */
export type WorkflowStepNote =
  | AppNote
  | { code: 'open_pr_dry_run' }
  | { code: 'nothing_to_fix'; why: string }
  | { code: 'fix_no_write'; author: string; role: string };

/** What a workflow step came to, as data: the host turns it into outputs, a summary and a verdict. */
export interface WorkflowStepOutcome {
  command: WorkflowStep;
  goalId: string;
  proof: Proof;
  proofPath: string;
  /** The plan's slices by wave: what a matrix job needs to run one slice. */
  slices: SliceWave[];
  /** Whether the proof's status decides the step (run, execute, status, integrate, a fix that ran). */
  judged: boolean;
  failure: WorkflowStepFailure | null;
  notes: WorkflowStepNote[];
  /** open-pr, or run and execute with a dry run: what delivery would do. */
  dryRunPlan: DeliveryPlan | null;
  /** status or execute with a slice: that slice's status in the proof. */
  sliceStatus: string | null;
}

/** What one CI job gives a workflow step: the use cases' deps and the job's own plumbing. */
export interface WorkflowStepHost {
  /** The use cases' dependencies; the goal's truth is shared on `app.shared.remote`. */
  app: AppDeps & { shared: SharedState };
  /** The goal directories on the state branch. */
  remote: RemoteStateStore;
  /** The checkout the job works in (a goal another runner created is pointed at it). */
  repoRoot: string;
  /** Runs `fn` with a signal that aborts when the job is told to stop (a cancelled workflow). */
  abortable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** The agent the step asks for, with the config it reads. */
  agent(): Promise<AgentChoice>;
  /** The goal's branches from the repository (other jobs' slices, the PR branch a fix works on). */
  fetchBranches(goalId: string): Promise<void>;
  publishBranch: FanOutHost['publishBranch'];
  /** Answers a review's threads. */
  replies(): ReviewReplies;
  /** The review that started the job (null: the event is not one), and the forge it is checked on. */
  review(): Promise<{ ask: ReviewAsk | null; forge: ReviewForge }>;
  notify(notice: WorkflowStepNotice): void;
  /** The host's error for a refusal; the step throws it. */
  refusal(refusal: WorkflowRefusal): Error;
}

/** The options run and plan create a goal with; `policy` is also the one open-pr delivers by. */
export type WorkflowGoalOptions = Pick<
  CreateGoalRequest,
  'policy' | 'mergePolicy' | 'maxAgents' | 'llmPlanner' | 'plannerTokenBudget' | 'budget' | 'agent'
>;

export interface WorkflowStepRequest {
  step: WorkflowStep;
  /** The goal every step but run and plan works on (fix may take it from the PR's branch). */
  goalId: string | undefined;
  slice: string | undefined;
  /** run and plan: the goal text to create, normalized and as given, and the matrix cell's key. */
  goal: { text: string; raw: string; key: string | undefined } | undefined;
  options: WorkflowGoalOptions;
  /** Where the step runs (a saved goal's id and its matrix cell derive from it). */
  place: Omit<WorkflowRunPlace, 'hostname'>;
  dryRun: boolean;
  /** The base PRs target, else the goal's branch, else `fallbackBase` (the event's default branch). */
  base?: string;
  fallbackBase?: string;
  method: MergeMethod;
}

type Ran = Partial<Omit<WorkflowStepOutcome, 'command' | 'goalId' | 'proof' | 'proofPath' | 'slices'>>;

/**
 * One step of a workflow on a goal kept on the state branch: which use case the step is, how the
 * goal is pulled, prepared, acted on and saved back (a dry run saves nothing), and what the step
 * reports, read back from the goal's state. Every step but run and plan works on an existing goal.
 */
export async function runWorkflowStep(
  host: WorkflowStepHost,
  request: WorkflowStepRequest,
): Promise<WorkflowStepOutcome> {
  const { step, goalId, slice } = request;
  if (step === 'run' || step === 'plan') return createStep(host, request, step);
  if (step === 'fix') return fixStep(host, request);
  if (goalId === undefined) throw new Error(`unreachable: the host requires a goal id for ${step}`);
  const steps = new WorkflowSteps(host, request, goalId);
  switch (step) {
    case 'execute':
      return slice === undefined ? steps.execute() : steps.executeSlice(slice);
    case 'status':
      return steps.status(slice);
    case 'open-pr':
      return steps.openPr();
    case 'merge':
      return steps.merge();
    case 'verify':
    case 'review':
    case 'integrate':
      return steps.integrate(step);
  }
}

function delivery(request: WorkflowStepRequest) {
  return {
    ...(request.base === undefined ? {} : { base: request.base }),
    ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
  };
}

function tell(host: WorkflowStepHost, notice: WorkflowStepNotice | null): void {
  if (notice !== null) host.notify(notice);
}

/** The outcome of a step on a goal, read back from its state (an edited proof is a warning). */
async function report(
  host: WorkflowStepHost,
  command: WorkflowStep,
  goalId: string,
  ran: Ran = {},
): Promise<WorkflowStepOutcome> {
  const { proof, digestValid, proofPath, slices } = await goalReport(host.app.store, goalId);
  tell(host, proofNotice(goalId, digestValid));
  const base = { judged: false, failure: null, notes: [], dryRunPlan: null, sliceStatus: null };
  return { command, goalId, proof, proofPath, slices, ...base, ...ran };
}

/** The agent the step asks for, prepared for the goal: a missing or unknown one is refused first. */
async function agentFor(host: WorkflowStepHost, goal: GoalRecord): Promise<PreparedAgent> {
  return prepareAgent(host.app, goal.repo.root, await host.agent(), goal.options.agent);
}

/**
 * `plan` creates and plans a goal and saves it; `run` then executes it (retrying slices within
 * the budget), delivers and merges by policy. The id derives from the workflow run, the goal key
 * and the goal: a rerun continues the goal its killed attempt saved; another cell of the same
 * matrix job without a goal key of its own is refused.
 */
async function createStep(host: WorkflowStepHost, request: WorkflowStepRequest, mode: 'run' | 'plan') {
  const { goal, dryRun } = request;
  if (goal === undefined) throw new Error(`unreachable: the host requires a goal for ${mode}`);
  const place = { ...request.place, hostname: host.app.store.deps.host.hostname };
  const { cell, ...derived } = workflowGoalIdentity(place, goal.text, { goalKey: goal.key, dryRun });
  const saved = (id: string, commit: string | null) => tell(host, savedNotice(id, commit, dryRun));
  const agent = await host.agent();
  const started = await host
    .abortable((signal) =>
      startSharedGoal(host.app, host.remote, {
        ...(cell === undefined ? {} : { cell }),
        create: {
          ...request.options,
          goal: goal.text,
          rawGoal: goal.raw,
          repo: host.repoRoot,
          sliceExecution: 'worktree',
          untilReady: true,
          ...derived,
        },
        mode,
        agent,
        execute: {
          after: workflowDelivery(request.step, dryRun),
          ...delivery(request),
          method: request.method,
          signal,
        },
        save: !dryRun,
        onCreated: saved,
      }),
    )
    .catch((error: unknown) => {
      throw error instanceof SiblingCellError ? host.refusal({ code: 'sibling_cell', error }) : error;
    });
  const id = started.created.goal.id;
  if (started.executed === null) return report(host, mode, id, { judged: mode === 'run' });
  saved(id, started.saved.executed);
  const { notes, dryRunPlan } = started.executed;
  return report(host, 'run', id, { judged: true, notes, dryRunPlan });
}

/**
 * `fix` on a review of an omk PR: the changes it asks run as a fix task on the PR's branch, the
 * goal is verified again, its PRs updated and each request answered. A review that asks for
 * nothing, or by someone who may not write, runs nothing, saves nothing and passes.
 */
async function fixStep(host: WorkflowStepHost, request: WorkflowStepRequest): Promise<WorkflowStepOutcome> {
  const { ask, forge } = await host.review();
  const start = workflowFixStart(ask, request.goalId ?? null);
  if (start.kind === 'not_a_review') throw host.refusal({ code: 'not_a_review' });
  if (start.kind === 'not_omk')
    throw host.refusal({ code: 'not_an_omk_pr', pr: start.pr, branch: start.branch });
  const { goalId, ask: event } = start;
  type Fix = { pr: number; requests: ChangeRequest[]; agent: PreparedAgent };
  const prepare = async (goal: GoalRecord): Promise<WorkflowStepNote | Fix> => {
    const read = await reviewFixRequests(event, forge, host.app.reporter);
    if (read.kind === 'nothing') return { code: 'nothing_to_fix', why: read.why };
    if (read.kind === 'no_write') return { code: 'fix_no_write', author: read.author, role: read.role };
    // reviewFixRequests asks nothing of a skipped event; the check tells the compiler so.
    if (event.kind === 'skip') return { code: 'nothing_to_fix', why: event.why };
    return { pr: event.pr, requests: read.requests, agent: await agentFor(host, goal) };
  };
  const steps = new WorkflowSteps(host, request, goalId);
  const done = await steps.onGoal(
    `fix: PR #${event.pr ?? '?'} of goal ${goalId}`,
    prepare,
    async (prepared) => {
      if ('code' in prepared) return prepared;
      const source = await goalBranchesFor(() => host.fetchBranches(goalId));
      if (source.from === 'runner') tell(host, { kind: 'runner_branches', level: 'warn', why: source.why });
      const { pr, requests, agent } = prepared;
      const replies = host.replies();
      return fixPullRequest(host.app, {
        goalId,
        pr,
        requests,
        prepared: agent,
        replies,
        ...delivery(request),
      });
    },
    (value) => !('code' in value),
  );
  if ('code' in done) return report(host, 'fix', goalId, { notes: [done] });
  return report(host, 'fix', goalId, { judged: fixRan(done), notes: [fixNote(done)] });
}

/** The steps on an existing goal, pulled from the state branch and saved back. */
class WorkflowSteps {
  constructor(
    private readonly host: WorkflowStepHost,
    private readonly request: WorkflowStepRequest,
    private readonly goalId: string,
  ) {}

  /**
   * Runs `act` on the goal from the state branch after `prepare`, whose refusal saves nothing.
   * With a `save` message the goal is pushed back afterwards whatever happened, so evidence
   * gathered before a failure is kept; a dry run keeps it on this runner.
   */
  async onGoal<T, P>(
    save: string | null,
    prepare: (goal: GoalRecord) => Promise<P>,
    act: (prepared: P) => Promise<T>,
    saveIf?: (value: T) => boolean,
  ): Promise<T> {
    const { host, goalId } = this;
    const step = await withPreparedSharedGoal<T, P>(
      { store: host.app.store, remote: host.remote, reporter: host.app.reporter },
      {
        goalId,
        repoRoot: host.repoRoot,
        save: this.request.dryRun ? null : save,
        saveOnFailure: true,
        ...(saveIf === undefined ? {} : { saveIf }),
      },
      async (pulled) => {
        host.notify({ kind: 'pulled', level: 'info', goalId, commit: pulled.commit.slice(0, 12) });
        return prepare(pulled.goal);
      },
      ({ prepared }) => act(prepared),
    );
    if (step.kind === 'not_shared')
      throw host.refusal({ code: 'not_on_state_branch', goalId, missing: step.missing });
    if (save !== null) tell(host, savedNotice(goalId, step.saved, this.request.dryRun));
    return step.value;
  }

  private withAgent<T>(save: string | null, act: (prepared: PreparedAgent) => Promise<T>): Promise<T> {
    return this.onGoal(save, (goal) => agentFor(this.host, goal), act);
  }

  private async requireSlice(slice: string): Promise<void> {
    const slices = await unknownSlice(this.host.app.store, this.goalId, slice);
    if (slices !== null)
      throw this.host.refusal({ code: 'unknown_slice', goalId: this.goalId, slice, slices });
  }

  private fanOut(): FanOutHost {
    const { host } = this;
    return {
      ...host.app.shared,
      fetchBranches: (id) => host.fetchBranches(id),
      publishBranch: host.publishBranch,
    };
  }

  /** `execute` without a slice: the whole goal in this job, then delivery and merge by policy. */
  async execute(): Promise<WorkflowStepOutcome> {
    const { host, request, goalId } = this;
    const ran = await this.withAgent(`execute: goal ${goalId}`, (prepared) =>
      host.abortable((signal) =>
        executeAndDeliver(host.app, {
          goalId,
          after: workflowDelivery(request.step, request.dryRun),
          ...delivery(request),
          method: request.method,
          prepared,
          signal,
          // A review fix resumed here is answered in its threads, as its first run would have.
          replies: host.replies(),
        }),
      ),
    );
    return report(host, 'execute', goalId, { judged: true, notes: ran.notes, dryRunPlan: ran.dryRunPlan });
  }

  /**
   * `execute` with a slice: one matrix job runs one slice, building on the slices other jobs
   * finished, and pushes only what it owns (its branch, slices/<slice>.json). A slice that does
   * not finish fails the step.
   */
  async executeSlice(slice: string): Promise<WorkflowStepOutcome> {
    const { host, goalId } = this;
    // Not saved as a whole: the job pushes only the files it owns.
    const run = await this.withAgent(null, async (prepared) => {
      await this.requireSlice(slice);
      return host.abortable((signal) =>
        executeOneSlice(host.app, this.fanOut(), { goalId, slice, prepared, signal }),
      );
    });
    if (!this.request.dryRun && run.owned.length > 0) {
      await host.remote.push(goalId, `execute: slice ${slice} of ${goalId} (${run.outcome})`, {
        only: run.owned,
      });
    }
    const job = sliceJobReport(slice, run);
    const failure =
      job.kind === 'unfinished'
        ? { code: 'slice_unfinished' as const, slice, outcome: job.outcome, failure: job.failure }
        : null;
    return report(host, 'execute', goalId, {
      sliceStatus: job.status,
      failure,
      notes: [{ code: 'slice_job', report: job }],
    });
  }

  /**
   * `integrate`, `verify`, `review`: fold every slice job's result into the goal, integrate, rerun
   * the gates and reviews and settle the proof; integrate also runs slices still pending and
   * delivers and merges by policy; verify and review run no agent and only report.
   */
  async integrate(step: 'integrate' | 'verify' | 'review'): Promise<WorkflowStepOutcome> {
    const { host, request, goalId } = this;
    const notes = await this.withAgent(`${step}: goal ${goalId}`, async (prepared) =>
      integratedNotes(
        await integrateSlices(host.app, this.fanOut(), {
          goalId,
          prepared,
          step,
          dryRun: request.dryRun,
          ...delivery(request),
          method: request.method,
        }),
      ),
    );
    return report(host, step, goalId, { judged: true, notes });
  }

  /** `status`: the goal's proof, which decides the step; with a slice, that slice's status, which does not. */
  async status(slice: string | undefined): Promise<WorkflowStepOutcome> {
    const { host, goalId } = this;
    return this.onGoal(
      null,
      async () => undefined,
      async () => {
        if (slice === undefined) return report(host, 'status', goalId, { judged: true });
        await this.requireSlice(slice);
        const outcome = await report(host, 'status', goalId);
        return { ...outcome, sliceStatus: sliceStatusIn(outcome.proof, slice) };
      },
    );
  }

  /** `open-pr`: one PR per delivered slice and the integrator PR, from this runner; a dry run shows them. */
  async openPr(): Promise<WorkflowStepOutcome> {
    const { host, request, goalId } = this;
    const { dryRun } = request;
    const { policy } = request.options;
    const opened = await this.onGoal(
      dryRun ? null : `open-pr: goal ${goalId}`,
      async () => undefined,
      () => openPullRequests(host.app, { goalId, policy, ...delivery(request), dryRun }),
    );
    if (!opened.dryRun) return report(host, 'open-pr', goalId);
    return report(host, 'open-pr', goalId, { dryRunPlan: opened.plan, notes: [{ code: 'open_pr_dry_run' }] });
  }

  /**
   * `merge`: the integrator PR, only when the proof is ready and fresh, checks are green and
   * reviews satisfied. A refusal fails the step with its reasons; nothing is ever forced.
   */
  async merge(): Promise<WorkflowStepOutcome> {
    const { host, goalId } = this;
    const result = await this.onGoal(
      `merge: goal ${goalId}`,
      async () => undefined,
      () => mergeIntegrator(host.app, { goalId, method: this.request.method }),
    );
    if (result.merged) {
      host.notify({ kind: 'merged', level: 'info', pr: result.pr, sha: result.sha.slice(0, 12) });
      return report(host, 'merge', goalId);
    }
    const reasons = result.reasons.map((reason) => `${reason.blocker}: ${reason.detail}`);
    const failure = {
      code: 'merge_blocked' as const,
      goalId,
      pr: result.pr,
      blockedBy: result.blockedBy,
      reasons,
    };
    return report(host, 'merge', goalId, { failure });
  }
}
