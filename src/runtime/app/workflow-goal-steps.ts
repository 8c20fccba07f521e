import type { GoalRecord } from '../goal/schema.js';
import { acceptGoal } from './accept.js';
import type { PreparedAgent } from './agent.js';
import { executeAndDeliver } from './execute.js';
import { executeOneSlice, type FanOutHost, integrateSlices } from './fan-out.js';
import { bringGoalBranches } from './goal-branches.js';
import { sliceStatusIn, unknownSlice } from './goal-report.js';
import { integratedNotes, sliceJobReport } from './judgement.js';
import { mergeIntegrator } from './merge.js';
import { mergeNote } from './notes.js';
import { openPullRequests } from './open-pr.js';
import { goalBranchesFor } from './workflow-fix.js';
import { agentFor, onWorkflowGoal, stepDelivery } from './workflow-goal.js';
import { stepReport, tell, withheldStep } from './workflow-step-report.js';
import type {
  WorkflowStepHost,
  WorkflowStepNote,
  WorkflowStepOutcome,
  WorkflowStepRequest,
} from './workflow-step-types.js';
import { workflowDelivery } from './workflow-steps.js';

/** The steps on an existing goal, pulled from the state branch and saved back. */
export class WorkflowSteps {
  constructor(
    private readonly host: WorkflowStepHost,
    private readonly request: WorkflowStepRequest,
    private readonly goalId: string,
  ) {}

  /** The goal pulled, prepared, acted on and saved back (`onWorkflowGoal`). */
  private onGoal<T, P>(
    save: string | null,
    prepare: (goal: GoalRecord) => Promise<P>,
    act: (prepared: P) => Promise<T>,
  ): Promise<T> {
    return onWorkflowGoal(this.host, this.request, this.goalId, { save, prepare, act });
  }

  /** `gatesOnly`: the step starts no agent, but its gates run the agent's change (verify, review). */
  private withAgent<T>(
    save: string | null,
    act: (prepared: PreparedAgent) => Promise<T>,
    gatesOnly = false,
  ): Promise<T> {
    return this.onGoal(save, (goal) => agentFor(this.host, goal, gatesOnly), act);
  }

  private async requireSlice(slice: string): Promise<void> {
    const slices = await unknownSlice(this.host.app.store, this.goalId, slice);
    if (slices !== null)
      throw this.host.refusal({ code: 'unknown_slice', goalId: this.goalId, slice, slices });
  }

  /** The goal's branches from the repository; when fetching fails, this runner's, with a warning. */
  private async fetchOrWarn(): Promise<void> {
    const source = await goalBranchesFor(() => this.host.fetchBranches(this.goalId));
    if (source.from === 'runner')
      tell(this.host, { kind: 'runner_branches', level: 'warn', why: source.why });
  }

  private fanOut(): FanOutHost {
    const { host } = this;
    return {
      ...host.app.shared,
      fetchBranches: (id) => host.fetchBranches(id),
      publishBranch: host.publishBranch,
    };
  }

  /**
   * `execute` without a slice: the whole goal in this job, then delivery and merge by policy. A
   * goal an earlier job ran (a cancelled `run`, fan-out's slice jobs) goes on from its branches:
   * the repository's, else this runner's, and its kept slices restored from the goal.
   */
  async execute(): Promise<WorkflowStepOutcome> {
    const { host, request, goalId } = this;
    const ran = await this.withAgent(`execute: goal ${goalId}`, async (prepared) => {
      await bringGoalBranches(host.app, goalId, () => this.fetchOrWarn());
      return host.abortable((signal) =>
        executeAndDeliver(host.app, {
          goalId,
          after: workflowDelivery(request.step, request.dryRun),
          ...stepDelivery(request),
          method: request.method,
          prepared,
          signal,
          // A review fix resumed here is answered in its threads, as its first run would have.
          replies: host.replies(),
        }),
      );
    });
    return stepReport(host, 'execute', goalId, {
      judged: true,
      notes: ran.notes,
      dryRunPlan: ran.dryRunPlan,
    });
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
    return stepReport(host, 'execute', goalId, {
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
    const notes = await this.withAgent(
      `${step}: goal ${goalId}`,
      async (prepared) =>
        integratedNotes(
          await integrateSlices(host.app, this.fanOut(), {
            goalId,
            prepared,
            step,
            dryRun: request.dryRun,
            ...stepDelivery(request),
            method: request.method,
          }),
        ),
      step !== 'integrate',
    );
    return stepReport(host, step, goalId, { judged: true, notes });
  }

  /** `status`: the goal's proof, which decides the step; with a slice, that slice's status, which does not. */
  async status(slice: string | undefined): Promise<WorkflowStepOutcome> {
    const { host, goalId } = this;
    return this.onGoal(
      null,
      async () => undefined,
      async () => {
        if (slice === undefined) return stepReport(host, 'status', goalId, { judged: true });
        await this.requireSlice(slice);
        const outcome = await stepReport(host, 'status', goalId);
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
      () => openPullRequests(host.app, { goalId, policy, ...stepDelivery(request), dryRun }),
    );
    if (!opened.dryRun) {
      if (opened.withheld === null) return stepReport(host, 'open-pr', goalId);
      // Stopped part-way by a person: the step fails, saying what stays open and what was not opened.
      return withheldStep(host, 'open-pr', goalId, opened.withheld, []);
    }
    return stepReport(host, 'open-pr', goalId, {
      dryRunPlan: opened.plan,
      notes: [{ code: 'open_pr_dry_run' }],
    });
  }

  /**
   * `merge`: the integrator PR, only when the proof is ready and fresh, checks are green and
   * reviews satisfied. A refusal fails the step with its reasons; nothing is ever forced.
   */
  async merge(): Promise<WorkflowStepOutcome> {
    const { host, goalId } = this;
    const outcome = await this.onGoal(
      `merge: goal ${goalId}`,
      async () => undefined,
      () => mergeIntegrator(host.app, { goalId, method: this.request.method }),
    );
    if (outcome.withheld !== null) return withheldStep(host, 'merge', goalId, outcome.withheld, []);
    const { result } = outcome;
    if (result.merged) {
      host.notify({ kind: 'merged', level: 'info', pr: result.pr, sha: result.sha.slice(0, 12) });
      return stepReport(host, 'merge', goalId);
    }
    const reasons = result.reasons.map((reason) => `${reason.blocker}: ${reason.detail}`);
    const failure = {
      code: 'merge_blocked' as const,
      goalId,
      pr: result.pr,
      blockedBy: result.blockedBy,
      reasons,
    };
    return stepReport(host, 'merge', goalId, { failure });
  }

  /**
   * `accept`: the person who started the job accepts the goal (a person with write access, never
   * a bot: refused before the goal is pulled), recorded with their login and saved to the state
   * branch; its PRs are delivered again to show it, and the gated merge is evaluated at once
   * (`acceptGoal`). A goal that cannot be accepted (running, failed, settled) is refused unchanged.
   */
  async accept(): Promise<WorkflowStepOutcome> {
    const { host, request, goalId } = this;
    const { summary } = request;
    if (summary === undefined) throw new Error('unreachable: the host requires a summary for accept');
    const person = await host.person();
    if (person.login === null || person.bot || !person.write) {
      throw host.refusal({ code: 'accept_refused', person });
    }
    const by = person.login;
    const accepted = await this.onGoal(
      `accept: goal ${goalId} by ${by}`,
      async () => undefined,
      async () => {
        // Its PRs are delivered again: their branches come from the repository, else this runner.
        await this.fetchOrWarn();
        return acceptGoal(host.app, {
          goalId,
          summary,
          by,
          method: request.method,
          ...stepDelivery(request),
        });
      },
    );
    const { merge, result, withheld } = accepted;
    const notes: WorkflowStepNote[] = [{ code: 'accepted', goalId, by, previous: result.previous }];
    // A person stopped the goal while its PRs were delivered again: the step fails saying what stays.
    if (withheld !== null) return withheldStep(host, 'accept', goalId, withheld, notes);
    if (merge.evaluated) notes.push(mergeNote(merge.result));
    else if (merge.why !== 'not_gated') notes.push({ code: 'merge_not_evaluated', detail: merge.detail });
    if (merge.evaluated && merge.result.merged)
      host.notify({ kind: 'merged', level: 'info', pr: merge.result.pr, sha: merge.result.sha.slice(0, 12) });
    return stepReport(host, 'accept', goalId, { notes });
  }
}
