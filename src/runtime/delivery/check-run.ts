import type { Annotation, CheckRunSpec } from '../forge/port.js';
import type { ProofStatus } from '../goal/schema.js';
import { proofForTree } from '../proof/fresh.js';
import { renderProofMarkdown } from '../proof/render-markdown.js';
import type { GateEvidence, Proof } from '../proof/schema.js';
import { clip } from '../text/clip.js';
import { gateOutputAnnotations } from './annotations.js';
import { cut, type Fold, foldSequence } from './fold.js';
import { PROOF_CHECK } from './merge-decision.js';

/** GitHub's limit for a check run's output.summary. */
export const MAX_SUMMARY_CHARS = 65_535;
/** GitHub accepts 50 annotations per request; more would need several updates. */
export const MAX_ANNOTATIONS = 50;

export const CHECK_CONCLUSIONS: Readonly<Record<ProofStatus, CheckRunSpec['conclusion']>> = {
  ready: 'success',
  failed: 'failure',
  not_ready: 'neutral',
  blocked_on_human: 'neutral',
};

export interface CheckRunOptions {
  goalId: string;
  sliceId: string | 'integration';
  /** The commit the check run is attached to. */
  headSha: string;
  /** The gates that ran on `headSha`; failing ones become annotations. */
  gates: readonly GateEvidence[];
  /** Absolute repository root, to make absolute paths in gate output repository-relative. */
  repoRoot?: string | null;
}

/**
 * The `omk/proof` check run, as data. A proof can only conclude `success` when its digest matches
 * its content and, on the integration head, when it names that head: otherwise it is shown as
 * `proofForTree` downgrades it (not ready, with the digest_mismatch or stale_proof gap).
 */
export function checkRunFor(proof: Proof, opts: CheckRunOptions): CheckRunSpec {
  const judged =
    proof.status === 'ready'
      ? proofForTree(proof, {
          baseSha: proof.git.baseSha,
          headSha: opts.sliceId === 'integration' ? opts.headSha : proof.git.headSha,
        })
      : proof;
  const gaps = judged.knownGaps.length;
  const failures = judged.failures.length;
  return {
    name: PROOF_CHECK,
    headSha: opts.headSha,
    conclusion: CHECK_CONCLUSIONS[judged.status],
    title:
      `omk proof: ${judged.status} — ${gaps} gap${gaps === 1 ? '' : 's'}` +
      (failures > 0 ? `, ${failures} failure${failures === 1 ? '' : 's'}` : ''),
    summary: renderCheckSummary(judged),
    annotations: gateAnnotations(opts),
    externalId: `${opts.goalId}:${opts.sliceId}:${opts.headSha}`,
  };
}

/** renderProofMarkdown, folded like a PR body until it fits GitHub's summary limit. */
export function renderCheckSummary(proof: Proof, limit = MAX_SUMMARY_CHARS): string {
  const full = renderProofMarkdown(proof);
  if (full.length <= limit) return full;
  let rendered = full;
  for (const fold of foldSequence(false)) {
    rendered = `${foldNote(proof, fold)}\n\n${renderProofMarkdown(foldProof(proof, fold))}`;
    if (rendered.length <= limit) return rendered;
  }
  return cut(rendered, limit);
}

/** A copy of the proof for display only (its digest is the original's): detail folded per `fold`. */
function foldProof(proof: Proof, fold: Fold): Proof {
  const text = (value: string) => clip(value, fold.textChars);
  const tail = (value: string) => (fold.tailChars === 0 ? '' : lastChars(value, fold.tailChars));
  const message = (value: string) =>
    fold.messageChars === null ? value : fold.messageChars === 0 ? '' : clip(value, fold.messageChars);
  const grouped = <T extends { code: string }>(
    items: readonly T[],
    make: (code: string, count: number) => T,
  ) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item.code, (counts.get(item.code) ?? 0) + 1);
    return [...counts].map(([code, count]) => make(code, count));
  };
  return {
    ...proof,
    goal: { ...proof.goal, text: text(proof.goal.text) },
    gates: proof.gates.map((gate) => ({
      ...gate,
      name: text(gate.name),
      kind: text(gate.kind),
      tail: tail(gate.tail),
    })),
    slices: proof.slices.map((slice) => ({ ...slice, title: text(slice.title) })),
    changedFiles: proof.changedFiles
      .slice(0, fold.filesShown)
      .map((file) => ({ ...file, path: text(file.path) })),
    findings: proof.findings.map((finding) => ({ ...finding, message: text(finding.message) })),
    knownGaps: fold.grouped
      ? grouped(proof.knownGaps, (code, count) => ({ code, message: `× ${count}` }))
      : proof.knownGaps.map((gap) => ({ ...gap, message: message(gap.message) })),
    failures: fold.grouped
      ? grouped(proof.failures, (code, count) => ({ code, message: `× ${count}`, evidence: '' }))
      : proof.failures.map((failure) => ({
          ...failure,
          message: message(failure.message),
          evidence: tail(failure.evidence),
        })),
    warnings: proof.warnings.map(text),
    humanDecisions: proof.humanDecisions.map(text),
  };
}

function foldNote(proof: Proof, fold: Fold): string {
  const parts = [
    fold.tailChars === 0
      ? 'gate output and failure evidence hidden'
      : `gate output cut to ${fold.tailChars} characters`,
    ...(fold.filesShown < proof.changedFiles.length
      ? [
          `${Math.min(fold.filesShown, proof.changedFiles.length)} of ${proof.changedFiles.length} changed files listed`,
        ]
      : []),
    ...(fold.textChars === null ? [] : [`long text cut to ${fold.textChars} characters`]),
    ...(fold.messageChars === null || fold.grouped
      ? []
      : [`gap messages cut to ${fold.messageChars} characters`]),
    ...(fold.grouped ? ['gaps and failures grouped by code with their counts'] : []),
  ];
  return `> **Folded to fit GitHub's limit:** ${parts.join('; ')}. The goal's proof.json has everything.`;
}

function lastChars(value: string, max: number): string {
  if (value.length <= max) return value;
  const start = value.length - max;
  const unit = value.charCodeAt(start);
  return value.slice(unit >= 0xdc00 && unit <= 0xdfff ? start + 1 : start);
}

/**
 * Annotations from the output of gates that fail on this very commit (a result for another commit
 * would point at lines that have moved): failed and timed-out gates as failures (or as the tool
 * says), pre-existing failures as warnings at most. At most MAX_ANNOTATIONS in all, in gate order.
 */
function gateAnnotations(opts: CheckRunOptions): Annotation[] {
  const out: Annotation[] = [];
  for (const gate of opts.gates) {
    if (gate.sha !== opts.headSha || out.length >= MAX_ANNOTATIONS) continue;
    out.push(...gateOutputAnnotations(gate, MAX_ANNOTATIONS - out.length, opts.repoRoot ?? null));
  }
  return out;
}
