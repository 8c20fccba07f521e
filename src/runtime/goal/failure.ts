import { z } from 'zod';
import { writeJsonAtomic } from '../state/atomic.js';
import { singleVersion } from '../state/versioned.js';

/** failure.json: why a goal stopped (cancelled, blocked on a human, failed). */
export const failureSchema = z.object({
  version: z.literal(1),
  status: z.enum(['cancelled', 'blocked_on_human', 'failed', 'interrupted']),
  at: z.string(),
  reason: z.string(),
  humanDecisions: z.array(z.string()),
});
export type FailureRecord = z.infer<typeof failureSchema>;
export const failureVersioned = singleVersion('failure.json', 1, failureSchema);

export function writeFailure(path: string, record: Omit<FailureRecord, 'version'>): Promise<void> {
  return writeJsonAtomic(path, failureSchema.parse({ version: 1, ...record }));
}
