import type { Proof } from '../proof/schema.js';
import type { IntegrateOutcome, SliceJobOutcome } from './fan-out.js';
import type { AppNote } from './notes.js';

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

/** Why a host's step fails, as data its host words; `passes` when it does not. */
export type StepVerdict =
  | { kind: 'passes' }
  /** An expected refusal (a blocked merge, a slice that did not finish): it always fails the step. */
  | { kind: 'refused' }
  /** The step is judged on its proof, and the proof does not let it pass. */
  | { kind: 'proof'; judgement: Exclude<ProofJudgement, { passes: true }> };

/**
 * What a host's step comes to (the Action's run, execute, fix...): a refusal always fails it; a
 * step judged on its proof fails as `judgeProof` says; a step that only reads or delivers passes.
 */
export function stepVerdict(
  step: { refused: boolean; judged: boolean; proof: Proof },
  options: { failOnNotReady: boolean },
): StepVerdict {
  if (step.refused) return { kind: 'refused' };
  if (!step.judged) return { kind: 'passes' };
  const judgement = judgeProof(step.proof, options);
  return judgement.passes ? { kind: 'passes' } : { kind: 'proof', judgement };
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

/** What an integrate (or verify, review) step reports: the slice results it folded, then its notes. */
export function integratedNotes(
  done: Pick<IntegrateOutcome, 'folded' | 'notes'> & { result: { proof: Pick<Proof, 'status'> } },
): AppNote[] {
  return [
    { code: 'slices_folded', folded: done.folded, proofStatus: done.result.proof.status },
    ...done.notes,
  ];
}
