import type { z } from 'zod';
import type { BudgetSpent } from '../budget/schema.js';
import type { BudgetLimits, Oracle } from '../goal/schema.js';
import type {
  agentRunEvidenceSchema,
  changedFileSchema,
  Delivery,
  failureEvidenceSchema,
  Gap,
  GateEvidence,
  PlannedGateEvidence,
  ProofFinding,
  sliceEvidenceSchema,
} from './schema.js';

/** How far execution got; decides whether a failing gate means `failed` or only `not_ready`. */
export const EXECUTION_STATES = [
  'not_started',
  'in_progress',
  'complete',
  'interrupted',
  'budget_exhausted',
] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/**
 * Everything a proof is built from. The builder derives status, gaps and digest from this and
 * nothing else: no summaries, no claims.
 */
export interface ProofEvidence {
  goalId: string;
  goalText: string;
  oracle: Oracle;
  generatedAt: string;
  execution: ExecutionState;
  git: { baseRef: string | null; baseSha: string | null; headSha: string | null };
  gates: readonly GateEvidence[];
  /**
   * The gates the latest `gates_required` event names (planning's, until execution records its
   * own): before any gate ran, what the proof says will be required.
   */
  plannedGates?: readonly PlannedGateEvidence[];
  /**
   * The gates as they ran on the goal's base before any agent (absent in evidence recorded before
   * omk kept them): what shows a benchmark was measured on the base as well as the head.
   */
  baseGates?: readonly GateEvidence[];
  slices: readonly z.infer<typeof sliceEvidenceSchema>[];
  /**
   * Why each slice that is not done failed its last attempt, in one line (failureHeadline), by
   * slice id: said in its slice_incomplete gap, so a not_ready proof names what broke. Not a field
   * of the proof's slices.
   */
  sliceFailures?: Readonly<Record<string, string>>;
  changedFiles: readonly z.infer<typeof changedFileSchema>[];
  agentRuns: readonly z.infer<typeof agentRunEvidenceSchema>[];
  /** Each with the slice whose review found it (null: the integrated tree's). */
  findings: readonly ProofFinding[];
  decisions: readonly { kind: string; decision: string; reason: string }[];
  budget: { limits: BudgetLimits; spent: BudgetSpent };
  /** Gaps only the controller can know (integration conflict, budget exhausted, interrupted). */
  extraGaps: readonly Gap[];
  /** Hard failures with their evidence (a slice out of retries, an agent that crashed every time). */
  failures: readonly z.infer<typeof failureEvidenceSchema>[];
  delivery: Delivery;
  eventsThroughSeq: number;
}
