import type { Proof } from '../proof/schema.js';
import type { SliceJobOutcome } from './fan-out.js';

/** Whether a proof lets a step that is judged on it pass, and why not, as data. */
export type ProofJudgement =
  | { passes: true }
  | { passes: false; status: 'failed'; failures: string[] }
  | { passes: false; status: 'not_ready' | 'blocked_on_human'; gaps: string[] };

/**
 * A failed proof always fails the step; one that is not ready (or blocked on a human) fails it
 * unless the host lets not-ready pass. `failures` are the first three messages, `gaps` the codes.
 */
export function judgeProof(proof: Proof, options: { failOnNotReady: boolean }): ProofJudgement {
  if (proof.status === 'failed') {
    return { passes: false, status: 'failed', failures: proof.failures.map((f) => f.message).slice(0, 3) };
  }
  if (proof.status === 'ready' || !options.failOnNotReady) return { passes: true };
  return {
    passes: false,
    status: proof.status,
    gaps: [...new Set(proof.knownGaps.map((gap) => gap.code))],
  };
}

/** What one slice job came to, for its host to report. */
export type SliceJobReport =
  /** A pause or cancel on the shared state stopped the slice before it finished. */
  | { kind: 'stopped'; slice: string; by: 'paused' | 'cancelled'; status: string }
  | { kind: 'already_done'; slice: string; status: string }
  | { kind: 'finished'; slice: string; outcome: string; status: string }
  /** The slice did not finish: the step that ran it fails. */
  | { kind: 'unfinished'; slice: string; outcome: string; status: string; failure: string | null };

export function sliceJobReport(slice: string, run: SliceJobOutcome): SliceJobReport {
  const finished = run.outcome === 'done' || run.outcome === 'already_done';
  if (run.stoppedBy !== null && !finished) {
    const by = run.stoppedBy === 'pause' ? 'paused' : 'cancelled';
    return { kind: 'stopped', slice, by, status: run.result?.task.status ?? 'pending' };
  }
  const status = run.result?.task.status ?? 'done';
  if (run.outcome === 'already_done') return { kind: 'already_done', slice, status };
  if (finished) return { kind: 'finished', slice, outcome: run.outcome, status };
  const failure = run.result?.record.lastFailure?.split('\n')[0] ?? null;
  return { kind: 'unfinished', slice, outcome: run.outcome, status, failure };
}
