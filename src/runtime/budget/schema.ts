import { z } from 'zod';
import { budgetLimitsSchema } from '../goal/schema.js';

export const budgetSpentSchema = z.object({
  timeMs: z.number().nonnegative(),
  tokens: z.number().nonnegative(),
  usd: z.number().nonnegative(),
});
export type BudgetSpent = z.infer<typeof budgetSpentSchema>;

/** One line of budget.jsonl: limits and spend at a point in time. */
export const budgetCheckpointSchema = z.object({
  v: z.number().int().positive(),
  seq: z.number().int().positive(),
  ts: z.string(),
  kind: z.enum(['set', 'add', 'spend', 'check']),
  limits: budgetLimitsSchema,
  spent: budgetSpentSchema,
  note: z.string(),
});
export type BudgetCheckpoint = z.infer<typeof budgetCheckpointSchema>;

export const ZERO_SPENT: BudgetSpent = { timeMs: 0, tokens: 0, usd: 0 };
