import type { ChangeRequest } from '../forge/review-replies.js';
import type { GoalRecord } from '../goal/schema.js';
import type { PreparedAgent } from './agent.js';
import { fixPullRequest } from './fix.js';
import { fixNote } from './goal-steps.js';
import { fixRan } from './reports.js';
import { reviewFixRequests } from './review-fix.js';
import { startSharedGoal } from './shared-start.js';
import { savedNotice } from './shared-step-notices.js';
import { SiblingCellError, workflowGoalIdentity } from './workflow-cell.js';
import { goalBranchesFor, workflowFixStart } from './workflow-fix.js';
import { agentFor, onWorkflowGoal, stepDelivery } from './workflow-goal.js';
import { WorkflowSteps } from './workflow-goal-steps.js';
import { stepReport, tell, withheldStep } from './workflow-step-report.js';
import type {
  WorkflowStepHost,
  WorkflowStepNote,
  WorkflowStepOutcome,
  WorkflowStepRequest,
} from './workflow-step-types.js';
import { workflowDelivery } from './workflow-steps.js';

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
    case 'accept':
      return steps.accept();
    case 'verify':
    case 'review':
    case 'integrate':
      return steps.integrate(step);
  }
}

/**
 * `plan` creates and plans a goal and saves it; `run` then executes it (until ready: retrying
 * slices and repairing the integration within the budget; else one attempt per slice), delivers
 * and merges by policy. The request's `untilReady` is recorded on the goal, so the later steps of
 * a fanned-out goal follow it. The id derives from the workflow run, the goal key and the goal: a
 * rerun continues the goal its killed attempt saved; another cell of the same matrix job without
 * a goal key of its own is refused.
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
          ...derived,
        },
        mode,
        agent,
        execute: {
          after: workflowDelivery(request.step, dryRun),
          ...stepDelivery(request),
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
  if (started.executed === null) return stepReport(host, mode, id, { judged: mode === 'run' });
  saved(id, started.saved.executed);
  const { notes, dryRunPlan } = started.executed;
  return stepReport(host, 'run', id, { judged: true, notes, dryRunPlan });
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
  const done = await onWorkflowGoal(host, request, goalId, {
    save: `fix: PR #${event.pr ?? '?'} of goal ${goalId}`,
    prepare,
    act: async (prepared) => {
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
        ...stepDelivery(request),
      });
    },
    saveIf: (value) => !('code' in value),
  });
  if ('code' in done) return stepReport(host, 'fix', goalId, { notes: [done] });
  // A person stopped the goal while its PRs were updated with the fix: the step fails saying so.
  if (fixRan(done) && done.withheld !== null)
    return withheldStep(host, 'fix', goalId, done.withheld, [fixNote(done)]);
  return stepReport(host, 'fix', goalId, { judged: fixRan(done), notes: [fixNote(done)] });
}
