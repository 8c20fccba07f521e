import { currentSpent } from '../budget/ledger.js';
import type { EventLog } from '../events/log.js';
import type { GoalEvent } from '../events/schema.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { TaskGraph } from '../graph/schema.js';
import { writeJsonAtomic } from '../state/atomic.js';
import { readDecisions } from '../state/decisions.js';
import { buildProof } from './build.js';
import type { ExecutionState, ProofEvidence } from './evidence.js';
import type { Delivery, Proof } from './schema.js';

/** Evidence that only execution produces; empty until the execution engine has run. */
export type ExecutionEvidence = Pick<
  ProofEvidence,
  'gates' | 'slices' | 'changedFiles' | 'agentRuns' | 'findings' | 'extraGaps' | 'failures'
> & { execution: ExecutionState; headSha: string | null };

export function notExecuted(graph: TaskGraph | null): ExecutionEvidence {
  return {
    execution: 'not_started',
    headSha: null,
    gates: [],
    slices: (graph?.tasks ?? []).map((task) => ({
      id: task.id,
      title: task.title,
      status: task.status,
      branch: null,
      headSha: null,
      attempts: task.attempts,
      changedFiles: [],
    })),
    changedFiles: [],
    agentRuns: [],
    findings: [],
    extraGaps: [],
    failures: [],
  };
}

/** Delivery facts come from lifecycle events only: nothing is claimed without its event. */
export function deliveryFromEvents(events: readonly GoalEvent[]): Delivery {
  const delivery: Delivery = {
    acceptance: null,
    rejection: null,
    cancellation: null,
    merge: null,
    pullRequests: [],
  };
  for (const event of events) {
    const text = (key: string) => (typeof event.data[key] === 'string' ? (event.data[key] as string) : '');
    const record = (key: string) => ({ at: event.ts, eventSeq: event.seq, text: text(key) });
    if (event.type === 'goal_accepted') delivery.acceptance = record('summary');
    else if (event.type === 'goal_rejected') delivery.rejection = record('reason');
    else if (event.type === 'goal_cancelled') delivery.cancellation = record('reason');
  }
  return delivery;
}

/**
 * Rebuilds proof.json from what is on disk (goal, decisions, events, budget) plus the execution
 * evidence, writes it atomically and appends `proof_built`. Call under the goal lock.
 */
export async function rebuildProof(
  store: GoalStore,
  goal: GoalRecord,
  execution: ExecutionEvidence,
  events: EventLog,
): Promise<Proof> {
  const paths = store.paths(goal.id);
  const [decisions, log, spent] = await Promise.all([
    readDecisions(paths.decisions),
    events.read(),
    currentSpent(paths.budget),
  ]);
  const proof = buildProof({
    goalId: goal.id,
    goalText: goal.goal.normalized,
    oracle: goal.oracle,
    generatedAt: store.deps.clock.nowIso(),
    execution: execution.execution,
    git: { baseRef: goal.repo.baseRef, baseSha: goal.repo.baseSha, headSha: execution.headSha },
    gates: execution.gates,
    slices: execution.slices,
    changedFiles: execution.changedFiles,
    agentRuns: execution.agentRuns,
    findings: execution.findings,
    decisions: decisions.map(({ kind, decision, reason }) => ({ kind, decision, reason })),
    budget: { limits: goal.budget, spent },
    extraGaps: execution.extraGaps,
    failures: execution.failures,
    delivery: deliveryFromEvents(log.events),
    eventsThroughSeq: log.events.at(-1)?.seq ?? 0,
  });
  await writeJsonAtomic(paths.proof, proof);
  await events.append([{ type: 'proof_built', data: { status: proof.status, digest: proof.digest } }]);
  return proof;
}
