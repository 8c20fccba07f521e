import { z } from 'zod';
import type { ActionCore } from '../../adapters/actions-runner/core.js';
import { listOmkRefs } from '../../adapters/git/job-leftovers.js';

/** The state key the main step leaves for its post step. */
const TRACE_STATE = 'omk-job';

/** What the post step needs to undo the main step's changes to the checkout, and only those. */
const jobTraceSchema = z.object({
  /** The checkout omk worked in. */
  repoRoot: z.string().min(1),
  /** omk's state root in this job: its worktrees, goal directories and stashed credential. */
  stateRoot: z.string().min(1),
  /** The refs in omk's namespaces that existed before the step: never deleted. */
  refsBefore: z.array(z.string()),
});

export type JobTrace = z.infer<typeof jobTraceSchema>;

/** Saved before the step makes any worktree, branch or credential change. */
export async function saveJobTrace(core: ActionCore, repoRoot: string, stateRoot: string): Promise<void> {
  const trace: JobTrace = { repoRoot, stateRoot, refsBefore: await listOmkRefs(repoRoot) };
  core.saveState(TRACE_STATE, JSON.stringify(trace));
}

/** The main step's trace; null when it saved none (it stopped before touching the checkout). */
export function readJobTrace(core: ActionCore): JobTrace | null {
  const raw = core.getState(TRACE_STATE);
  if (raw === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = jobTraceSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
