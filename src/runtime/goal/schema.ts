import { z } from 'zod';
import { singleVersion } from '../state/versioned.js';

export const GOAL_CLASSES = ['fix', 'greenfield', 'rewrite', 'hardening', 'performance'] as const;
export type GoalClass = (typeof GOAL_CLASSES)[number];

/** What a proof can say about the work. */
export const PROOF_STATUSES = ['ready', 'not_ready', 'failed', 'blocked_on_human'] as const;
export type ProofStatus = (typeof PROOF_STATUSES)[number];

/**
 * The goal's lifecycle. The four proof statuses are the settled states of work; the rest are
 * what people and controllers do with it.
 */
export const GOAL_STATUSES = [
  'planned',
  'running',
  'paused',
  'interrupted',
  ...PROOF_STATUSES,
  'cancelled',
  'accepted',
  'rejected',
  'merged',
] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const TERMINAL_STATUSES: readonly GoalStatus[] = ['cancelled', 'accepted', 'rejected', 'merged'];

export const DELIVERY_POLICIES = ['local', 'draft-pr', 'auto-pr'] as const;
export type DeliveryPolicy = (typeof DELIVERY_POLICIES)[number];
export const MERGE_POLICIES = ['disabled', 'manual', 'gated'] as const;
export type MergePolicy = (typeof MERGE_POLICIES)[number];
export const SLICE_EXECUTIONS = ['worktree', 'sparse', 'branch'] as const;
export type SliceExecution = (typeof SLICE_EXECUTIONS)[number];

/** The planning prompt's token budget when the request names none. */
export const DEFAULT_PLANNER_TOKEN_BUDGET = 8_000;

/**
 * How the goal was asked to be planned: whether an agent may plan it, and its token budget. A
 * goal recorded before these were kept is planned as a new request would be by default.
 */
export const plannerOptionsSchema = z.object({
  llm: z.boolean(),
  tokenBudget: z.number().int().positive(),
});
export type PlannerOptions = z.infer<typeof plannerOptionsSchema>;

export const budgetLimitsSchema = z.object({
  timeMs: z.number().int().positive().nullable(),
  tokens: z.number().int().positive().nullable(),
  usd: z.number().positive().nullable(),
});
export type BudgetLimits = z.infer<typeof budgetLimitsSchema>;

export const oracleSchema = z.object({
  testable: z.boolean(),
  class: z.enum(GOAL_CLASSES).nullable(),
  /** How success is decided: the shape differs per class (fail-to-pass, pass-to-pass, ...). */
  shape: z.enum(['fail_to_pass', 'spec_acceptance', 'pass_to_pass', 'adversarial', 'benchmark']).nullable(),
  /** Observable checks that decide success, in words a reviewer can verify. */
  checks: z.array(z.string()),
  /** Gate kinds that must pass on the final tree. */
  requiredGates: z.array(z.string()),
  /**
   * Gate kinds the goal's class asks for that the project has no gate of, so they are not required
   * (planning and execution reconcile them with the detected gates). Absent in goals written before.
   */
  absentGates: z.array(z.string()).optional(),
  /** Why the oracle decided what it did (matched words, missing anchors). */
  reasons: z.array(z.string()),
  /** When not testable: what a human must decide before work can start. */
  humanDecisions: z.array(z.string()),
});
export type Oracle = z.infer<typeof oracleSchema>;

export const controllerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
});
export type ControllerInfo = z.infer<typeof controllerSchema>;

export const goalRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Bumped on every write; a writer that read an older revision lost a race. */
  revision: z.number().int().nonnegative(),
  goal: z.object({ text: z.string(), normalized: z.string() }),
  oracle: oracleSchema,
  status: z.enum(GOAL_STATUSES),
  /** The status to return to on resume, while paused or interrupted. */
  resumeTo: z.enum(GOAL_STATUSES).nullable(),
  repo: z.object({
    root: z.string(),
    baseRef: z.string().nullable(),
    baseSha: z.string().nullable(),
  }),
  options: z.object({
    policy: z.enum(DELIVERY_POLICIES),
    mergePolicy: z.enum(MERGE_POLICIES),
    sliceExecution: z.enum(SLICE_EXECUTIONS),
    untilReady: z.boolean(),
    maxAgents: z.number().int().positive(),
    /** The agent spec given at creation (--agent), used again by resume. */
    agent: z.string().nullable().default(null),
    /** The planner switches given at creation, used again when a run killed while planning resumes. */
    planner: plannerOptionsSchema.default({ llm: true, tokenBudget: DEFAULT_PLANNER_TOKEN_BUDGET }),
    /**
     * The person who created the goal meant it to change how its tests run (a test script, a runner
     * config): a change to a gate's definition is then no slice failure, but the proof waits for a
     * person to review the new definition (blocked_on_human). Given at creation only, before any
     * agent runs; absent in goals created before it (false).
     */
    allowGateEdits: z.boolean().default(false),
    /**
     * The person who created the goal meant it to change its CI workflows (.github/workflows/,
     * .github/actions/): its slices may write them, but the proof waits for a person to read the
     * change (blocked_on_human), and no branch holding it is pushed until the goal is accepted (a
     * push runs it in the repository's CI with its secrets). Given at creation only, before any
     * agent runs; absent in goals created before it (false). Secrets files stay protected.
     */
    allowWorkflowEdits: z.boolean().default(false),
  }),
  budget: budgetLimitsSchema,
  controller: controllerSchema.nullable(),
});
export type GoalRecord = z.infer<typeof goalRecordSchema>;

export const goalRecordVersioned = singleVersion('goal.json', 1, goalRecordSchema);
