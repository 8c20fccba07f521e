import type { JobCheckout } from '../git/job-cleanup.js';
import { listOmkRefs } from '../git/job-leftovers.js';
import type { ActionCore } from './core.js';

/** The state key the main step leaves for its post step. */
const TRACE_STATE = 'omk-job';

/** What the post step needs to undo the main step's changes to the checkout, and only those. */
export type JobTrace = JobCheckout;

/**
 * Checked by hand, not with zod: three fields do not justify parsing zod's megabyte in every
 * job's post step before its first line (test/action/startup.test.ts).
 */
function asJobTrace(value: unknown): JobTrace | null {
  if (typeof value !== 'object' || value === null) return null;
  const { repoRoot, stateRoot, refsBefore } = value as Record<string, unknown>;
  const nonEmpty = (field: unknown): field is string => typeof field === 'string' && field !== '';
  if (!nonEmpty(repoRoot) || !nonEmpty(stateRoot)) return null;
  if (!Array.isArray(refsBefore) || !refsBefore.every((ref) => typeof ref === 'string')) return null;
  return { repoRoot, stateRoot, refsBefore };
}

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
  return asJobTrace(value);
}
