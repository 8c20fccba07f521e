import { currentSpent } from '../budget/ledger.js';
import { failureHeadline } from '../controller/attempt-failure.js';
import { type ExecutionStateRecord, readExecution } from '../controller/execution-state.js';
import { readDeliveryAsWritten } from '../delivery/state.js';
import type { EventLog } from '../events/log.js';
import type { GoalEvent } from '../events/schema.js';
import { gatesRequiredIn } from '../goal/gate-plan.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { type TaskGraph, taskGraphVersioned } from '../graph/schema.js';
import { readDecisions } from '../state/decisions.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, writeJsonAtomic } from '../state/versioned.js';
import { buildProof } from './build.js';
import type { ProofEvidence } from './evidence.js';
import { planEmptyGap } from './gaps.js';
import { executionWithoutMachinePaths, machineRoots, relativizer } from './machine-paths.js';
import { reuseClaimGaps } from './reuse-claims.js';
import { type Delivery, type Finding, type Proof, type ProofFinding, proofVersioned } from './schema.js';

type ExecutionEvidence = Pick<
  ProofEvidence,
  | 'execution'
  | 'gates'
  | 'baseGates'
  | 'slices'
  | 'sliceFailures'
  | 'changedFiles'
  | 'agentRuns'
  | 'findings'
  | 'extraGaps'
  | 'failures'
> & { headSha: string | null };

/** Maps execution.json and the graph to proof evidence: the final tree's gates decide. */
export function evidenceFromExecution(record: ExecutionStateRecord, graph: TaskGraph): ExecutionEvidence {
  const bySlice = new Map(record.slices.map((slice) => [slice.id, slice]));
  return {
    execution: record.state,
    headSha: record.integration?.conflict ? null : (record.integration?.headSha ?? null),
    gates: record.finalGates,
    baseGates: record.baseGates,
    slices: graph.tasks.map((task) => {
      const slice = bySlice.get(task.id);
      return {
        id: task.id,
        title: task.title,
        status: task.status,
        branch: slice?.branch ?? null,
        headSha: slice?.headSha ?? null,
        attempts: task.attempts,
        changedFiles: slice?.changedFiles ?? [],
      };
    }),
    sliceFailures: Object.fromEntries(
      graph.tasks.flatMap((task) => {
        const slice = bySlice.get(task.id);
        const failed = task.status !== 'done' && task.status !== 'skipped' ? slice?.lastFailure : null;
        return failed ? [[task.id, failureHeadline(failed, slice?.gates ?? [])]] : [];
      }),
    ),
    changedFiles: record.integration ? (record.finalChangedFiles ?? []) : [],
    agentRuns: record.agentRuns,
    // The integrated tree of one slice is that slice's change: its review says the same things
    // again, and the proof says each once, under the slice that found it first.
    findings: onceEach([
      ...record.slices.flatMap((slice) => slice.findings.map((finding) => ({ ...finding, slice: slice.id }))),
      ...record.finalFindings.map(integrated),
      // Agents run on the integration branch (repairs, fixes on the integrator PR) that reached
      // outside their worktree: kept whether or not an integration ran since.
      ...record.integrationIntegrity.map(integrated),
    ]),
    // What an outsider changed in the state root while a controller ran: never cleared. A plan
    // with no slice to run (each one rejected) says so first: nothing else will happen.
    extraGaps: [
      ...(graph.tasks.length === 0 && graph.planner.name !== NO_PLANNER
        ? [planEmptyGap(graph.rejected)]
        : []),
      ...record.gaps,
      ...record.stateIntegrity,
    ],
    failures: record.failures,
  };
}

const integrated = (finding: Finding): ProofFinding => ({ ...finding, slice: null });

/** Findings with the same review, severity, message and paths, kept once, in first-seen order. */
function onceEach(findings: readonly ProofFinding[]): ProofFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = JSON.stringify([finding.review, finding.severity, finding.message, finding.paths]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Delivery facts come from lifecycle events only: nothing is claimed without its event. */
export function deliveryFromEvents(events: readonly GoalEvent[]): Delivery {
  const delivery: Delivery = {
    acceptance: null,
    rejection: null,
    cancellation: null,
    merge: null,
    pullRequests: [],
    mergeEvaluation: null,
  };
  for (const event of events) {
    const text = (key: string) => (typeof event.data[key] === 'string' ? (event.data[key] as string) : '');
    const by = typeof event.data.by === 'string' ? { by: event.data.by } : {};
    const record = (key: string) => ({ at: event.ts, eventSeq: event.seq, text: text(key), ...by });
    if (event.type === 'goal_accepted') delivery.acceptance = record('summary');
    else if (event.type === 'goal_rejected') delivery.rejection = record('reason');
    else if (event.type === 'goal_cancelled') delivery.cancellation = record('reason');
    else if (event.type === 'merge_evaluated') delivery.mergeEvaluation = mergeEvaluationFrom(event);
    else if (event.type === 'delivery_withheld') delivery.withheld = withheldFrom(event);
    else if (event.type === 'goal_merged') {
      const sha = typeof event.data.sha === 'string' ? event.data.sha : '';
      const target = typeof event.data.target === 'string' ? event.data.target : '';
      delivery.merge = { at: event.ts, eventSeq: event.seq, sha, target };
    }
  }
  return delivery;
}

/** A `delivery_withheld` event as the proof records it (an older event has no `opened`, `withheld`). */
function withheldFrom(event: GoalEvent): NonNullable<Delivery['withheld']> {
  const { status, policy, opened, withheld } = event.data;
  return {
    at: event.ts,
    eventSeq: event.seq,
    status: typeof status === 'string' ? status : '',
    policy: typeof policy === 'string' ? policy : '',
    opened: Array.isArray(opened) ? opened.filter((n): n is number => Number.isInteger(n)) : [],
    withheld: Array.isArray(withheld)
      ? withheld.filter((what): what is string => typeof what === 'string')
      : ['delivery'],
  };
}

/**
 * Rebuilds proof.json from what is on disk (goal, graph, execution evidence, decisions, events,
 * budget), writes it atomically and appends `proof_built`. Call under the goal lock.
 */
export async function rebuildProof(store: GoalStore, goal: GoalRecord, events: EventLog): Promise<Proof> {
  const proof = await assembleProof(store, goal, events);
  await writeJsonAtomic(store.files, store.paths(goal.id).proof, proof);
  await events.append([{ type: 'proof_built', data: { status: proof.status, digest: proof.digest } }]);
  return proof;
}

/** The proof the evidence on disk gives now, written nowhere: what a merge checks proof.json by. */
export async function assembleProof(store: GoalStore, goal: GoalRecord, events: EventLog): Promise<Proof> {
  const paths = store.paths(goal.id);
  const [graph, execution, decisions, log, spent, deliveryRecord] = await Promise.all([
    readGraphOrNone(store.files, paths.taskGraph, goal.id),
    readExecution(store.files, paths.execution),
    readDecisions(store.files, paths.decisions),
    events.read(),
    currentSpent(store.files, paths.budget),
    readDeliveryAsWritten(store.files, paths.delivery),
  ]);
  // The proof names no directory of this machine: execution.json keeps the absolute paths.
  const roots = machineRoots(store.deps.stateRoot, goal, execution);
  const rewrite = relativizer(roots);
  const evidence = evidenceFromExecution(executionWithoutMachinePaths(execution, roots), graph);
  return buildProof({
    goalId: goal.id,
    goalText: goal.goal.normalized,
    oracle: goal.oracle,
    generatedAt: store.deps.clock.nowIso(),
    ...evidence,
    plannedGates: gatesRequiredIn(log.events),
    // A gate the integrated tree took from a slice holds only where the evidence backs the claim.
    extraGaps: [...evidence.extraGaps, ...reuseClaimGaps(execution, log.events)],
    git: { baseRef: goal.repo.baseRef, baseSha: goal.repo.baseSha, headSha: evidence.headSha },
    decisions: decisions.map(({ kind, decision, reason }) => ({
      kind,
      decision: rewrite(decision),
      reason: rewrite(reason),
    })),
    budget: { limits: goal.budget, spent },
    delivery: {
      ...deliveryFromEvents(log.events),
      pullRequests: (deliveryRecord?.pulls ?? []).map((pull) => ({
        sliceId: pull.sliceId,
        url: pull.url,
        number: pull.number,
        headSha: pull.headSha,
        checkRunId: pull.checkRunId,
      })),
    },
    eventsThroughSeq: log.events.at(-1)?.seq ?? 0,
  });
}

/** The planner of a goal that has no plan yet (its creation was killed before it was written). */
const NO_PLANNER = 'none';

/**
 * The goal's task graph; a goal whose creation was killed before its plan was written has none,
 * and its proof says so by having no slices.
 */
async function readGraphOrNone(files: StateFiles, path: string, goalId: string): Promise<TaskGraph> {
  if (await files.exists(path)) return readVersioned(files, taskGraphVersioned, path);
  return { version: 1, goalId, planner: { name: NO_PLANNER, version: '0' }, tasks: [], rejected: [] };
}

/**
 * proof.json, or, when it is missing (a process killed between a goal's first events and its first
 * proof), the proof the evidence on disk gives now: readers never depend on a later execute.
 */
export async function readOrAssembleProof(
  store: GoalStore,
  goal: GoalRecord,
  events: EventLog,
): Promise<Proof> {
  const path = store.paths(goal.id).proof;
  if (await store.files.exists(path)) return readVersioned(store.files, proofVersioned, path);
  return assembleProof(store, goal, events);
}

/** The merge evaluation as recorded in its event; malformed data reads as empty, never throws. */
function mergeEvaluationFrom(event: GoalEvent): NonNullable<Delivery['mergeEvaluation']> {
  const data = event.data;
  const isReason = (item: unknown): item is { blocker: string; detail: string } =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as { blocker?: unknown }).blocker === 'string' &&
    typeof (item as { detail?: unknown }).detail === 'string';
  const isCheck = (item: unknown): item is { name: string; state: string } =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as { name?: unknown }).name === 'string' &&
    typeof (item as { state?: unknown }).state === 'string';
  const reasons = Array.isArray(data.reasons) ? data.reasons.filter(isReason) : [];
  const checks = Array.isArray(data.checks) ? data.checks.filter(isCheck) : [];
  const reviews = data.reviews as { approvals?: unknown; changesRequested?: unknown } | undefined;
  return {
    at: event.ts,
    eventSeq: event.seq,
    pr: typeof data.pr === 'number' ? data.pr : 0,
    merge: data.merge === true,
    reasons: reasons.map(({ blocker, detail }) => ({ blocker, detail })),
    checks: checks.map(({ name, state }) => ({ name, state })),
    reviews:
      reviews && typeof reviews.approvals === 'number' && typeof reviews.changesRequested === 'boolean'
        ? { approvals: reviews.approvals, changesRequested: reviews.changesRequested }
        : null,
  };
}
