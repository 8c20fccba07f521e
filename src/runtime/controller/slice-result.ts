import { join } from 'node:path';
import { z } from 'zod';
import { budgetSpentSchema } from '../budget/schema.js';
import { NotFoundError } from '../errors.js';
import { TASK_STATUSES, taskSchema } from '../graph/schema.js';
import { agentRunEvidenceSchema, failureEvidenceSchema } from '../proof/schema.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, singleVersion, writeJsonAtomic } from '../state/versioned.js';
import { sliceRecord, sliceRecordSchema, withSlice } from './execution-state.js';
import type { ExecutionJournal } from './journal.js';

/**
 * slices/<slice-id>.json: what one matrix runner produced for one slice. Each runner owns exactly
 * its file, so runners sharing the state branch never overwrite each other; the integrate step
 * folds every result into the goal.
 */
export const sliceResultSchema = z.object({
  version: z.literal(1),
  sliceId: z.string(),
  task: z.object({ status: z.enum(TASK_STATUSES), attempts: z.number().int().nonnegative() }),
  record: sliceRecordSchema,
  agentRuns: z.array(agentRunEvidenceSchema),
  failures: z.array(failureEvidenceSchema),
  /** Follow-up tasks this slice's agent proposed and validation accepted. */
  followUps: z.array(taskSchema),
  /** The events the runner recorded, folded into events.jsonl by integrate. */
  events: z.array(z.object({ type: z.string(), ts: z.string(), data: z.record(z.string(), z.unknown()) })),
  spent: budgetSpentSchema,
  runner: z.object({ pid: z.number().int(), host: z.string() }),
  /**
   * The runner's own decisions for the goal's record: its sandbox decision (confined, off, or
   * fallen back), which the proof reads. Absent in results written before it: none.
   */
  decisions: z.array(z.object({ kind: z.string(), decision: z.string(), reason: z.string() })).default([]),
});
export type SliceResult = z.infer<typeof sliceResultSchema>;
const sliceResultVersioned = singleVersion('slice result', 1, sliceResultSchema);

export const SLICE_RESULTS_DIR = 'slices';

/**
 * What a runner that ran one slice owns in the goal directory: its result, its agent transcripts
 * and its review. It shares only these, so runners of other slices never overwrite each other.
 */
export function sliceOwnedPaths(sliceId: string): string[] {
  return [
    `${SLICE_RESULTS_DIR}/${sliceId}.json`,
    `artifacts/agent-runs/${sliceId}/`,
    `artifacts/reviews/${sliceId}.md`,
    // A workflow change kept until the goal is accepted: its branch, saved with the goal.
    `kept/${sliceId}.bundle`,
  ];
}

export function sliceResultPath(goalDir: string, sliceId: string): string {
  return join(goalDir, SLICE_RESULTS_DIR, `${sliceId}.json`);
}

export async function writeSliceResult(
  files: StateFiles,
  goalDir: string,
  result: SliceResult,
): Promise<void> {
  await files.makeDirs(join(goalDir, SLICE_RESULTS_DIR));
  await writeJsonAtomic(files, sliceResultPath(goalDir, result.sliceId), sliceResultSchema.parse(result));
}

export async function readSliceResults(files: StateFiles, goalDir: string): Promise<SliceResult[]> {
  const names = await files.list(join(goalDir, SLICE_RESULTS_DIR));
  if (names === null) return [];
  const results: SliceResult[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      results.push(await readVersioned(files, sliceResultVersioned, join(goalDir, SLICE_RESULTS_DIR, name)));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return results;
}

/**
 * Applies slice results to the journal's in-memory graph and evidence (task status, attempts,
 * slice record, agent runs, failures, accepted follow-ups). Idempotent: applying twice is the same.
 */
export function applySliceResults(journal: ExecutionJournal, results: readonly SliceResult[]): void {
  for (const result of results) {
    for (const followUp of result.followUps) {
      if (!journal.graph.tasks.some((task) => task.id === followUp.id)) {
        journal.graph = { ...journal.graph, tasks: [...journal.graph.tasks, followUp] };
      }
    }
    if (!journal.graph.tasks.some((task) => task.id === result.sliceId)) continue;
    journal.updateTask(result.sliceId, result.task);
    journal.execution = withSlice(journal.execution, {
      ...sliceRecord(journal.execution, result.sliceId),
      ...result.record,
    });
    const runKey = (run: { taskId: string; attempt: number }) => `${run.taskId}#${run.attempt}`;
    const known = new Set(journal.execution.agentRuns.map(runKey));
    const failureKeys = new Set(journal.execution.failures.map((f) => `${f.code}:${f.message}`));
    journal.execution = {
      ...journal.execution,
      agentRuns: [
        ...journal.execution.agentRuns,
        ...result.agentRuns.filter((run) => !known.has(runKey(run))),
      ],
      failures: [
        ...journal.execution.failures,
        ...result.failures.filter((f) => !failureKeys.has(`${f.code}:${f.message}`)),
      ],
    };
  }
}
