import { describe, expect, it } from 'vitest';
import { buildProof } from '../proof/build.js';
import { evidence, gate } from '../proof/test-evidence.js';
import type { SliceJobOutcome } from './fan-out.js';
import { integratedNotes, judgeProof, sliceJobReport, stepVerdict } from './judgement.js';
import { describeNote } from './notes.js';
import { plainVocabulary } from './vocabulary.js';

const failingLint = gate({ kind: 'lint', required: true, outcome: 'failed', exitCode: 1, tail: 'boom' });

describe('judgeProof', () => {
  it('fails a failed proof whatever the host lets pass, with its failure messages', () => {
    const proof = buildProof(evidence({ gates: [gate({ required: true }), failingLint] }));
    expect(proof.status).toBe('failed');
    const judged = judgeProof(proof, { failOnNotReady: false });
    expect(judged).toMatchObject({ passes: false, status: 'failed' });
    expect(judged.passes === false && judged.status === 'failed' && judged.failures.length).toBeGreaterThan(
      0,
    );
  });

  it('fails a proof that is not ready, with its gap codes once each, unless not-ready may pass', () => {
    const proof = buildProof(evidence({ execution: 'in_progress', gates: [gate({ required: true })] }));
    expect(proof.status).toBe('not_ready');
    const judged = judgeProof(proof, { failOnNotReady: true });
    expect(judged).toMatchObject({ passes: false, status: 'not_ready' });
    const gaps = judged.passes === false && judged.status !== 'failed' ? judged.gaps : [];
    expect(gaps.length).toBeGreaterThan(0);
    expect(new Set(gaps).size).toBe(gaps.length);
    expect(judgeProof(proof, { failOnNotReady: false })).toEqual({ passes: true });
  });
});

describe('stepVerdict', () => {
  const failed = buildProof(evidence({ gates: [gate({ required: true }), failingLint] }));
  const notReady = buildProof(evidence({ execution: 'in_progress', gates: [gate({ required: true })] }));
  const ready = buildProof(evidence({ gates: [gate({ required: true })] }));

  it('always fails a refusal, judged or not, whatever the proof says', () => {
    expect(ready.status).toBe('ready');
    for (const judged of [true, false])
      expect(stepVerdict({ refused: true, judged, proof: ready }, { failOnNotReady: false })).toEqual({
        kind: 'refused',
      });
  });

  it('passes a step that only reads or delivers, even on a failed proof', () => {
    expect(stepVerdict({ refused: false, judged: false, proof: failed }, { failOnNotReady: true })).toEqual({
      kind: 'passes',
    });
  });

  it('judges a judged step on its proof: failed always fails, not ready only when not-ready fails', () => {
    const step = (proof: typeof ready) => ({ refused: false, judged: true, proof });
    expect(stepVerdict(step(failed), { failOnNotReady: false })).toMatchObject({
      kind: 'proof',
      judgement: { passes: false, status: 'failed' },
    });
    expect(stepVerdict(step(notReady), { failOnNotReady: true })).toMatchObject({
      kind: 'proof',
      judgement: { passes: false, status: 'not_ready' },
    });
    expect(stepVerdict(step(notReady), { failOnNotReady: false })).toEqual({ kind: 'passes' });
    expect(stepVerdict(step(ready), { failOnNotReady: true })).toEqual({ kind: 'passes' });
  });
});

function run(overrides: Partial<SliceJobOutcome>): SliceJobOutcome {
  return { outcome: 'done', result: null, stoppedBy: null, owned: [], ...overrides };
}

describe('sliceJobReport', () => {
  it('reports a slice a pause stopped as pending, and a cancel by its name', () => {
    expect(sliceJobReport('s1', run({ outcome: 'interrupted', stoppedBy: 'pause' }))).toEqual({
      kind: 'stopped',
      slice: 's1',
      by: 'paused',
      status: 'pending',
    });
    expect(sliceJobReport('s1', run({ outcome: 'deferred', stoppedBy: 'cancel' }))).toMatchObject({
      by: 'cancelled',
    });
  });

  it('reports a finished slice as done even when a stop landed after it finished', () => {
    expect(sliceJobReport('s1', run({ stoppedBy: 'pause' }))).toEqual({
      kind: 'finished',
      slice: 's1',
      outcome: 'done',
      status: 'done',
    });
    expect(sliceJobReport('s1', run({ outcome: 'already_done' }))).toMatchObject({ kind: 'already_done' });
  });

  it('reports a slice that did not finish as unfinished', () => {
    expect(sliceJobReport('s1', run({ outcome: 'failed' }))).toEqual({
      kind: 'unfinished',
      slice: 's1',
      outcome: 'failed',
      status: 'done',
      failure: null,
    });
  });
});

describe('the fan-out notes', () => {
  const words = (report: ReturnType<typeof sliceJobReport>) =>
    describeNote({ code: 'slice_job', report }, plainVocabulary);

  it('words each kind of slice job: stopped, already done, finished or not', () => {
    expect(words(sliceJobReport('s1', run({ outcome: 'interrupted', stoppedBy: 'cancel' })))).toBe(
      'slice s1 stopped: the goal was cancelled on the state branch; nothing more runs here',
    );
    expect(words(sliceJobReport('s1', run({ outcome: 'already_done' })))).toBe(
      'slice s1 was already done; nothing ran',
    );
    expect(words(sliceJobReport('s1', run({ outcome: 'failed' })))).toBe(
      "slice s1: failed; integrate once every slice's job has finished",
    );
  });

  it('puts what was folded before the delivery notes of an integrate step', () => {
    const proof = buildProof(evidence({ gates: [gate({ required: true })] }));
    const notes = integratedNotes({ folded: 2, result: { proof }, notes: [{ code: 'dry_run' }] });
    expect(notes.map((note) => describeNote(note, plainVocabulary))).toEqual([
      'folded 2 slice result(s); the integrated proof is ready',
      'dry-run: nothing was pushed, opened or merged',
    ]);
  });
});
