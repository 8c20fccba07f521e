import type { ExecutionStateRecord } from '../controller/execution-state.js';
import { sliceRecord } from '../controller/execution-state.js';
import type { CheckRunSpec } from '../forge/port.js';
import type { DeliveryPolicy, GoalRecord } from '../goal/schema.js';
import { dependencyWaves } from '../graph/order.js';
import type { Task, TaskGraph } from '../graph/schema.js';
import type { Proof } from '../proof/schema.js';
import { checkRunFor } from './check-run.js';
import { type KeptBranch, keptBranches } from './kept-local.js';
import {
  labelsFor,
  renderIntegratorPrBody,
  renderIntegratorTitle,
  renderSlicePrBody,
  renderSliceTitle,
} from './pr-body.js';
import { plannedReadyForReview, type ReadyForReview } from './ready-for-review.js';
import type { DeliveryRecord } from './state.js';

export interface PlannedPr {
  kind: 'slice' | 'integrator';
  sliceId: string | null;
  branch: string;
  headSha: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  /** The draft state a new PR is opened in; an existing PR is never made a draft. */
  draft: boolean;
  /** An existing draft PR this delivery marks ready for review (policy auto-pr), or null. */
  readyForReview: ReadyForReview | null;
  checkRun: CheckRunSpec;
}

export interface DeliveryPlan {
  goalId: string;
  policy: DeliveryPolicy;
  base: string;
  pulls: PlannedPr[];
  /** Slices with nothing to deliver, and why. */
  skipped: { sliceId: string; reason: string }[];
  /** Branches with something to deliver that are not pushed, and why (kept-local.ts). */
  kept: KeptBranch[];
}

export interface PlanInput {
  goal: GoalRecord;
  graph: TaskGraph;
  execution: ExecutionStateRecord;
  proof: Proof;
  delivery: DeliveryRecord;
  policy: Exclude<DeliveryPolicy, 'local'>;
  base: string;
}

/** The slices a delivery opens PRs for: done, with a captured branch that changed something. */
export function deliverableSlices<T extends Pick<Task, 'id' | 'status'>>(
  tasks: readonly T[],
  execution: ExecutionStateRecord,
): T[] {
  return tasks.filter((task) => {
    const record = sliceRecord(execution, task.id);
    return (
      task.status === 'done' &&
      record.branch !== null &&
      record.headSha !== null &&
      record.changedFiles.length > 0
    );
  });
}

/** The integration a delivery opens the integrator PR for: one that merged without a conflict. */
export function deliveredIntegration(execution: ExecutionStateRecord): ExecutionStateRecord['integration'] {
  return execution.integration && !execution.integration.conflict ? execution.integration : null;
}

/**
 * The branches a delivery of the goal as it stands would keep local (kept-local.ts): what
 * `goal status` says before or after a delivery. `accepted`: a person accepted the goal.
 */
export function keptByDelivery(
  tasks: readonly Pick<Task, 'id' | 'status'>[],
  execution: ExecutionStateRecord,
  accepted: boolean,
): KeptBranch[] {
  const deliverable = deliverableSlices(tasks, execution);
  return keptBranches(
    execution,
    deliverable.map((task) => task.id),
    deliveredIntegration(execution) !== null && deliverable.length > 0,
    accepted,
  );
}

/**
 * Everything delivery would do, as data: branches, titles, bodies, labels, draft state and check
 * runs. `open-pr --dry-run` prints exactly this; delivery applies exactly this.
 */
export function planDelivery(input: PlanInput): DeliveryPlan {
  const { goal, graph, execution, proof, delivery, policy, base } = input;
  const draft = policy === 'draft-pr';
  const recordOf = (sliceId: string | null) => delivery.pulls.find((p) => p.sliceId === sliceId) ?? null;
  const urlOf = (sliceId: string | null) => recordOf(sliceId)?.url ?? null;
  const ordered = dependencyWaves(graph.tasks).flat();
  const deliverable = deliverableSlices(ordered, execution);
  const skipped = ordered
    .filter((task) => !deliverable.includes(task))
    .map((task) => ({
      sliceId: task.id,
      reason:
        task.status !== 'done'
          ? `slice is ${task.status}`
          : 'the slice changed nothing: there is nothing to review',
    }));
  // A done slice's branch whose own run the security review or an integrity check blocked stays
  // here; so does an integration that merges it or is blocked itself.
  const integration = deliveredIntegration(execution);
  // A workflow change the goal was created to make waits for a person's acceptance.
  const kept = keptByDelivery(ordered, execution, proof.delivery.acceptance !== null);
  const pushed = deliverable.filter((task) => !kept.some((branch) => branch.sliceId === task.id));
  const siblings = pushed.map((task) => ({ id: task.id, title: task.title, url: urlOf(task.id) }));

  const pulls: PlannedPr[] = pushed.map((task) => {
    const record = sliceRecord(execution, task.id);
    const branch = record.branch ?? '';
    const headSha = record.headSha ?? '';
    const slice = {
      task,
      branch,
      headSha,
      changedFiles: record.changedFiles,
      gates: record.gates,
      findings: record.findings,
    };
    const bodyInput = {
      goal,
      proof,
      slice,
      siblings: siblings.filter((s) => s.id !== task.id),
      integrator: { url: urlOf(null) },
    };
    return {
      kind: 'slice',
      sliceId: task.id,
      branch,
      headSha,
      base,
      title: renderSliceTitle(bodyInput),
      body: renderSlicePrBody(bodyInput),
      labels: labelsFor(policy, proof.status, 'slice'),
      draft,
      readyForReview: plannedReadyForReview(draft, recordOf(task.id)),
      checkRun: checkRunFor(proof, { goalId: goal.id, sliceId: task.id, headSha, gates: record.gates }),
    };
  });

  if (integration && deliverable.length > 0 && !kept.some((branch) => branch.sliceId === null)) {
    const bodyInput = {
      goal,
      proof,
      policy,
      branch: integration.branch,
      slices: ordered.map((task) => ({
        id: task.id,
        title: task.title,
        url: urlOf(task.id),
        status: task.status,
      })),
    };
    pulls.push({
      kind: 'integrator',
      sliceId: null,
      branch: integration.branch,
      headSha: integration.headSha,
      base,
      title: renderIntegratorTitle(bodyInput),
      body: renderIntegratorPrBody(bodyInput),
      labels: labelsFor(policy, proof.status, 'integrator'),
      draft,
      readyForReview: plannedReadyForReview(draft, recordOf(null)),
      checkRun: checkRunFor(proof, {
        goalId: goal.id,
        sliceId: 'integration',
        headSha: integration.headSha,
        gates: proof.gates,
      }),
    });
  }
  return { goalId: goal.id, policy, base, pulls, skipped, kept };
}
