import { readExecution } from '../controller/execution-state.js';
import type { KeptBranch } from '../delivery/kept-local.js';
import { keptByDelivery } from '../delivery/plan.js';
import type { GoalEvent, SkippedLine } from '../events/schema.js';
import { type Task, type TaskGraph, taskGraphVersioned } from '../graph/schema.js';
import { readOrAssembleProof } from '../proof/assemble.js';
import { verifyProofDigest } from '../proof/digest.js';
import type { Proof } from '../proof/schema.js';
import type { GoalPaths } from '../state/paths.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned } from '../state/versioned.js';
import { controllerAlive } from './actions.js';
import { catchUpFailureRecord } from './failure.js';
import { settleRecordedMerge } from './recorded-merge.js';
import type { GoalRecord } from './schema.js';
import type { GoalStore } from './store.js';

export interface ProofView {
  proof: Proof;
  /** False when proof.json was edited after omk wrote it. */
  digestValid: boolean;
}

/** proof.json; rebuilt from the evidence when a killed process left none (readOrAssembleProof). */
export async function readProof(store: GoalStore, goalId: string): Promise<ProofView> {
  const goal = await store.read(goalId);
  const proof = await readOrAssembleProof(store, goal, store.eventLog(goalId));
  return { proof, digestValid: verifyProofDigest(proof) };
}

export interface StatusView {
  goal: GoalRecord;
  proof: ProofView;
  /** Each slice as the task graph has it now: a running controller updates it as it goes, while
   * the proof is rebuilt only when the run settles. */
  slices: { id: string; status: Task['status']; attempts: number }[];
  /** The graph's review fixes: the PR each was asked on, its state and attempts. */
  fixes: { id: string; pr: number; status: Task['status']; attempts: number }[];
  lastEventSeq: number;
  controllerAlive: boolean;
  /**
   * The branches a delivery keeps (or would keep) on this machine, and why: none for a goal
   * whose policy pushes nothing (`local`).
   */
  kept: KeptBranch[];
}

/**
 * goal.json, proof.json, the task graph and the last event only: the cost does not grow with the
 * event count.
 */
export async function goalStatus(store: GoalStore, goalId: string): Promise<StatusView> {
  // A merge its events record but goal.json does not yet (a kill between the two) is settled first.
  const { goal } = await settleRecordedMerge(store, goalId);
  await catchUpFailureRecord(store, goal);
  const paths = store.paths(goalId);
  const [proof, graph, lastEventSeq, execution] = await Promise.all([
    readProof(store, goalId),
    readGraphIfPlanned(store.files, paths.taskGraph),
    store.eventLog(goalId).lastSeq(),
    readExecution(store.files, paths.execution),
  ]);
  const slices = (graph?.tasks ?? []).map(({ id, status, attempts }) => ({ id, status, attempts }));
  const fixes = (graph?.fixes ?? []).map(({ id, pr, status, attempts }) => ({ id, pr, status, attempts }));
  const kept =
    goal.options.policy === 'local'
      ? []
      : keptByDelivery(graph?.tasks ?? [], execution, proof.proof.delivery.acceptance !== null);
  return { goal, proof, slices, fixes, lastEventSeq, controllerAlive: controllerAlive(store, goal), kept };
}

/** The task graph, or null for a goal whose creation was killed before its plan was written. */
async function readGraphIfPlanned(files: StateFiles, path: string): Promise<TaskGraph | null> {
  return (await files.exists(path)) ? readVersioned(files, taskGraphVersioned, path) : null;
}

export interface ShowView {
  goal: GoalRecord;
  graph: TaskGraph;
  paths: GoalPaths;
}

export async function goalShow(store: GoalStore, goalId: string): Promise<ShowView> {
  const paths = store.paths(goalId);
  const [goal, graph] = await Promise.all([
    store.read(goalId),
    readVersioned(store.files, taskGraphVersioned, paths.taskGraph),
  ]);
  return { goal, graph, paths };
}

export async function readEvents(
  store: GoalStore,
  goalId: string,
): Promise<{ events: GoalEvent[]; skipped: SkippedLine[] }> {
  await store.read(goalId);
  return store.eventLog(goalId).read();
}
