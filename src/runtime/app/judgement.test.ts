import { describe, expect, it } from 'vitest';
import { buildProof } from '../proof/build.js';
import { evidence, gate } from '../proof/test-evidence.js';
import type { SliceJobOutcome } from './fan-out.js';
import { judgeProof, sliceJobReport } from './judgement.js';

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
