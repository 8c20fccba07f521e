import { readExecution } from '../controller/execution-state.js';
import { readProof } from '../goal/queries.js';
import type { GoalStore } from '../goal/store.js';
import type { GateEvidence, Proof } from '../proof/schema.js';
import { type SliceWave, sliceWaves } from './queries.js';

export { pullRequestOf } from '../proof/pull-request-of.js';

/** What a command reports of a goal once it is done: the proof, where it is, the plan by wave. */
export interface GoalReport {
  goalId: string;
  proof: Proof;
  /** False when proof.json no longer matches its digest: it was edited after omk wrote it. */
  digestValid: boolean;
  proofPath: string;
  slices: SliceWave[];
}

/** The goal's report, read back from its state. */
export async function goalReport(store: GoalStore, goalId: string): Promise<GoalReport> {
  const { proof, digestValid } = await readProof(store, goalId);
  return {
    goalId,
    proof,
    digestValid,
    proofPath: store.paths(goalId).proof,
    slices: await sliceWaves(store, goalId),
  };
}

/** Null when `slice` is a slice of the goal's plan, else the plan's slice ids (for the refusal). */
export async function unknownSlice(
  store: GoalStore,
  goalId: string,
  slice: string,
): Promise<string[] | null> {
  const rows = await sliceWaves(store, goalId);
  return rows.some((row) => row.slice === slice) ? null : rows.map((row) => row.slice);
}

/** A slice's status in the proof; a slice the proof does not list yet is pending. */
export function sliceStatusIn(proof: Proof, slice: string): string {
  return proof.slices.find((entry) => entry.id === slice)?.status ?? 'pending';
}

/** Gate results and the tree they ran in (absolute paths under it become repository paths). */
export interface GateGroup {
  gates: readonly GateEvidence[];
  root: string | null;
}

/**
 * The gates worth showing a user: those on the integrated tree, and those of every slice that
 * failed (a failed slice never reaches the integrated tree, so its gates are the only evidence).
 */
export async function gateGroups(store: GoalStore, goalId: string, proof: Proof): Promise<GateGroup[]> {
  const execution = await readExecution(store.files, store.paths(goalId).execution);
  const failed = new Set(proof.slices.filter((slice) => slice.status === 'failed').map((slice) => slice.id));
  return [
    { gates: proof.gates, root: execution.integration?.workspace ?? null },
    ...execution.slices
      .filter((slice) => failed.has(slice.id))
      .map((slice) => ({ gates: slice.gates, root: slice.workspace })),
  ];
}
