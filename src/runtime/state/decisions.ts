import { z } from 'zod';

/** One line of decisions.jsonl: a choice the runtime made, and why. */
export const decisionSchema = z.object({
  v: z.number().int().positive(),
  seq: z.number().int().positive(),
  ts: z.string(),
  kind: z.string(),
  decision: z.string(),
  reason: z.string(),
});
export type Decision = z.infer<typeof decisionSchema>;
export type DecisionInput = Pick<Decision, 'kind' | 'decision' | 'reason'>;
