import type { BudgetLimits, Oracle } from '../goal/schema.js';
import type { TaskDraft } from '../graph/schema.js';
import type { PlanClassification } from './agent-reply.js';
import type { SymbolDefinition } from './symbols.js';

export interface PlanInput {
  goalId: string;
  /** Normalized goal text. */
  goalText: string;
  oracle: Oracle;
  /** Tracked files, repository-relative with '/' separators, sorted. */
  repoFiles: readonly string[];
  budget: BudgetLimits;
  maxAgents: number;
  /** Where the repository defines the identifiers the goal names (symbols.ts); none when absent. */
  definitions?: readonly SymbolDefinition[];
  /** The protected paths the goal's slices may write (its workflows, when created to change them). */
  allowedProtectedPaths?: readonly string[];
}

export interface PlanProposal {
  planner: { name: string; version: string };
  /** Untrusted drafts: the graph validator decides what enters the graph. */
  tasks: TaskDraft[];
  /** Why the planner chose this decomposition; recorded as decisions. */
  notes: string[];
  /**
   * The planning agent's classification of the goal, validated: it replaces the heuristic oracle's
   * class (`untestable` blocks the goal on its questions). Absent when no agent classified it.
   */
  classification?: PlanClassification;
  /** Why the agent's classification was not used (its reply refused twice): the heuristic's stands. */
  classificationFallback?: string;
  /** What planning cost (an agent's runs), charged to the goal's budget; absent when nothing. */
  spent?: { timeMs: number; tokens: number; usd: number };
}

/**
 * Turns a goal into task drafts. The heuristic planner is deterministic; an agent-backed planner
 * (execution issue) asks an agent for JSON, validates it with zod and falls back to the heuristic.
 */
export interface Planner {
  readonly name: string;
  /**
   * Set when the planner asks an agent that classifies the goal: a goal the heuristic oracle finds
   * untestable is planned too, and the agent's class decides (the heuristic's is the fallback).
   */
  readonly classifies?: boolean;
  plan(input: PlanInput): Promise<PlanProposal>;
}
