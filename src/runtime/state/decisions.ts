import { z } from 'zod';
import type { Clock } from '../ports.js';
import { appendSequenced, readJsonl } from './jsonl.js';
import type { StateFiles } from './port.js';

export const DECISION_VERSION = 1;

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

const parseDecision = (value: unknown): Decision => decisionSchema.parse(value);

/** Appends decisions (caller holds the goal lock). */
export function appendDecisions(
  files: StateFiles,
  path: string,
  clock: Clock,
  inputs: readonly DecisionInput[],
): Promise<Decision[]> {
  const ts = clock.nowIso();
  return appendSequenced(
    files,
    path,
    parseDecision,
    inputs.map((input) => (seq: number) => ({ v: DECISION_VERSION, seq, ts, ...input })),
  );
}

export async function readDecisions(files: StateFiles, path: string): Promise<Decision[]> {
  return (await readJsonl(files, path, parseDecision, DECISION_VERSION)).records;
}
