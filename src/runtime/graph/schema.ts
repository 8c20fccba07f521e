import { z } from 'zod';
import { singleVersion } from '../state/versioned.js';

export const RISKS = ['low', 'medium', 'high'] as const;
export const TASK_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;

export { SLICE_ID_PATTERN } from './slice-id.js';

export const taskBudgetSchema = z.object({
  timeMs: z.number().int().positive(),
  tokens: z.number().int().positive().nullable(),
  usd: z.number().positive().nullable(),
});

/** A task as a planner proposes it, before validation. Paths are raw, untrusted strings. */
export const taskDraftSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  ownerRole: z.string(),
  dependsOn: z.array(z.string()),
  /** Repository-relative paths ("." is the whole repository); a path covers everything below it. */
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  risk: z.enum(RISKS),
  acceptance: z.array(z.string()),
  budget: taskBudgetSchema,
  maxRetries: z.number().int().min(0).max(10),
});
export type TaskDraft = z.infer<typeof taskDraftSchema>;

/** A task that passed validation: ids and paths are normalized and safe. */
export const taskSchema = taskDraftSchema.extend({
  status: z.enum(TASK_STATUSES),
  attempts: z.number().int().nonnegative(),
});
export type Task = z.infer<typeof taskSchema>;

export const REJECTION_CODES = [
  'duplicate_id',
  'invalid_id',
  'missing_dependency',
  'cycle',
  'unsafe_path',
  'protected_path',
  'conflict',
  'rejected_dependency',
  'budget',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const taskRejectionSchema = z.object({
  taskId: z.string(),
  code: z.enum(REJECTION_CODES),
  reason: z.string(),
});
export type TaskRejection = z.infer<typeof taskRejectionSchema>;

/** One change a reviewer asked for, as the fix task that handles it keeps it. */
export const fixRequestSchema = z.object({
  id: z.string(),
  text: z.string(),
  path: z.string().nullable(),
  line: z.number().int().nullable(),
  author: z.string().nullable(),
  replyTo: z.number().int().nullable(),
});

/**
 * A review fix as a task of the goal's graph: the changes asked on one of its PRs, run by the
 * controller on that PR's branch (the integration branch, or the slice's). Pending until a
 * controller runs it; a controller that dies while it runs leaves it for the next one.
 */
export const fixTaskSchema = z.object({
  /** `fix-<n>`: its events and agent runs carry this id. */
  id: z.string(),
  fix: z.number().int().positive(),
  pr: z.number().int().positive(),
  /** The slice whose PR it is; null for the integrator PR. */
  sliceId: z.string().nullable(),
  requests: z.array(fixRequestSchema),
  status: z.enum(TASK_STATUSES),
  attempts: z.number().int().nonnegative(),
  /** What its last run came to (null until one finished). */
  result: z
    .object({
      headSha: z.string().nullable(),
      changedFiles: z.array(z.string()),
      agentFailure: z.string().nullable(),
      /** The integrity checks around its agent found a blocking change. */
      untrusted: z.boolean(),
      /**
       * The blocking review findings that kept its change off the PR's branch (a key in the diff,
       * a workflow edited, a write outside what the fix may change); absent or null: none.
       */
      refused: z.array(z.string()).nullable().optional(),
    })
    .nullable(),
});
export type FixTask = z.infer<typeof fixTaskSchema>;

export const taskGraphSchema = z.object({
  version: z.literal(1),
  goalId: z.string(),
  planner: z.object({ name: z.string(), version: z.string() }),
  tasks: z.array(taskSchema),
  rejected: z.array(taskRejectionSchema),
  /** Review fixes asked on the goal's PRs, in the order they were asked (absent: none yet). */
  fixes: z.array(fixTaskSchema).optional(),
});
export type TaskGraph = z.infer<typeof taskGraphSchema>;

export const taskGraphVersioned = singleVersion('task-graph.json', 1, taskGraphSchema);
