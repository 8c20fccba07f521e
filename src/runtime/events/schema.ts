import { z } from 'zod';

/** Event types the runtime writes. Readers accept unknown types (from newer omk) as opaque. */
export const EVENT_TYPES = [
  'goal_created',
  'oracle_decided',
  'goal_blocked',
  'plan_written',
  'task_accepted',
  'task_rejected',
  'graph_validated',
  'proof_built',
  'budget_set',
  'budget_added',
  'goal_paused',
  'goal_resumed',
  'goal_cancelled',
  'goal_accepted',
  'goal_rejected',
  'lock_recovered',
  'execution_started',
  'execution_finished',
  'execution_interrupted',
  'gates_required',
  'gates_on_base',
  'task_leased',
  'task_retry',
  'task_pending',
  'slice_reset',
  'slice_reopened',
  'slice_reopen_held',
  'task_done',
  'task_failed',
  'task_skipped',
  'worker_dead',
  'agent_started',
  'agent_finished',
  'agent_rate_limited',
  'workspace_prepared',
  'workspace_fallback',
  'change_captured',
  'gates_verified',
  'review_written',
  'followup_accepted',
  'followup_rejected',
  'budget_spent',
  'budget_exhausted',
  'integration_done',
  'integration_conflict',
  'integration_repair_started',
  'integration_repair_finished',
  'fix_requested',
  'fix_applied',
  'fix_failed',
  'pr_opened',
  'pr_updated',
  'pr_ready_for_review',
  'check_run_published',
  'delivery_withheld',
  'merge_evaluated',
  'merge_requested',
  'goal_merged',
  'slice_event',
  'slice_result_folded',
  'goal_cleaned',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_VERSION = 1;

export const eventSchema = z.object({
  v: z.number().int().positive(),
  seq: z.number().int().positive(),
  ts: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type GoalEvent = z.infer<typeof eventSchema>;

/** An event before the log assigns its sequence number and timestamp. */
export interface EventInput {
  type: EventType;
  data: Record<string, unknown>;
}

/** A line the reader could not use: reported, skipped, never fatal. */
export interface SkippedLine {
  line: number;
  reason: string;
  /** True for the last line of the file without a newline: a write torn by a crash. */
  torn: boolean;
}
