import { describe, expect, it } from 'vitest';
import { buildProof } from '../proof/build.js';
import type { Proof } from '../proof/schema.js';
import { evidence, gate } from '../proof/test-evidence.js';
import {
  integratorBodySections,
  MAX_BODY_CHARS,
  renderIntegratorPrBody,
  renderSlicePrBody,
  sliceBodySections,
} from './pr-body.js';
import { readProofBlock } from './proof-block.js';
import { goalRecord, integratorInput, SLICE_SHA, sliceInput } from './test-delivery.js';

const MB = 1024 * 1024;
const files = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    path: `src/module-${index}/file-${index}.ts`,
    additions: 1,
    deletions: 0,
  }));
const bigTail = (marker: string) =>
  `${Array.from({ length: 20_000 }, (_, index) => `line ${index} ${'x'.repeat(40)}`)
    .join('\n')
    .slice(0, MB)}\n${marker}`;
/** 5,000 gaps over `codes` distinct codes, each with a 1 KB message. */
const gaps = (count: number, codes: number) =>
  Array.from({ length: count }, (_, index) => ({
    code: `code_${index % codes}`,
    message: `gap ${index} ${'m'.repeat(1024)}`,
  }));
const withGaps = (proof: Proof, knownGaps: Proof['knownGaps'], failures: Proof['failures'] = []): Proof => ({
  ...proof,
  status: 'not_ready',
  knownGaps,
  failures,
});

function expectFits(body: string): void {
  expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
  const block = readProofBlock(body);
  expect(block.found && block.valid).toBe(true);
  expect(body.trimEnd()).toMatch(/-->$/);
}

describe('PR bodies under the 65,536-character limit', () => {
  it('folds 10,000 changed files into a short list and a count, keeping the full proof block', () => {
    const input = sliceInput();
    const body = renderSlicePrBody({ ...input, slice: { ...input.slice, changedFiles: files(10_000) } });
    expectFits(body);
    expect(readProofBlock(body)).toMatchObject({ form: 'full' });
    expect(body).toContain('Changed files (10000, +10000 −0)');
    expect(body).toMatch(/- … and 9900 more|The list is folded to fit/);
    expect(body).toContain('### Known gaps (2)');
  });

  it('folds 1 MB gate tails to their last lines; the proof, holding them, becomes the digest block', () => {
    const tails = ['test', 'lint', 'typecheck'].map((kind) =>
      gate({ kind, outcome: 'failed', exitCode: 1, required: true, tail: bigTail(`END OF ${kind}`) }),
    );
    const proof = buildProof(evidence({ gates: tails }));
    expect(proof.status).toBe('failed');
    const input = sliceInput({ proof });
    const sliceGates = tails.map((entry) => ({ ...entry, sha: SLICE_SHA }));
    const body = renderSlicePrBody({ ...input, slice: { ...input.slice, gates: sliceGates } });
    expectFits(body);
    expect(readProofBlock(body)).toMatchObject({ form: 'digest', digest: proof.digest, status: 'failed' });
    for (const kind of ['test', 'lint', 'typecheck']) expect(body).toContain(`END OF ${kind}`);
    expect(body).toContain('### Failures (3)');
    expect(body.match(/- `gate_failed`/g)).toHaveLength(3);

    const integrator = renderIntegratorPrBody(integratorInput({ proof }));
    expectFits(integrator);
    expect(integrator).toContain('END OF typecheck');
  });

  it('keeps every one of 5,000 gaps (300 codes, 1 KB messages): messages shortened, codes and counts kept', () => {
    const proof = withGaps(buildProof(evidence()), gaps(5000, 300));
    const body = renderSlicePrBody(sliceInput({ proof }));
    expectFits(body);
    expect(body).toContain('### Known gaps (5000)');
    for (let code = 0; code < 300; code += 1) expect(body).toContain(`\`code_${code}\``);
    expect(readProofBlock(body)).toMatchObject({
      form: 'digest',
      gaps: expect.arrayContaining(['code_0', 'code_299']),
    });
  });

  it('shortens gap messages rather than dropping any when 5,000 gaps share a few codes', () => {
    const proof = withGaps(buildProof(evidence()), gaps(5000, 4).slice(0, 600));
    const body = renderSlicePrBody(sliceInput({ proof }));
    expectFits(body);
    expect(body.match(/^- `code_\d` /gm)).toHaveLength(600);
    expect(body).toContain('gap 599 ');
  });

  it('keeps gaps and failures when they alone exceed the limit, together with huge everything else', () => {
    const evidenceTail = bigTail('evidence').slice(-20_000);
    const failures = Array.from({ length: 2000 }, (_, index) => ({
      code: `failure_${index % 50}`,
      message: 'f'.repeat(2000),
      evidence: evidenceTail,
    }));
    const base = buildProof(
      evidence({ goalText: `${'g'.repeat(MB)}`, gates: [gate({ tail: bigTail('t') })] }),
    );
    const proof = withGaps(base, gaps(5000, 300), failures);
    const input = sliceInput({ proof, goal: goalRecord('g'.repeat(MB)) });
    const slice = {
      ...input.slice,
      changedFiles: files(10_000),
      gates: [gate({ outcome: 'failed', tail: bigTail('t') })],
    };
    const siblings = Array.from({ length: 500 }, (_, index) => ({
      id: `s${index}`,
      title: 't'.repeat(500),
      url: null,
    }));
    for (const body of [
      renderSlicePrBody({ ...input, slice, siblings }),
      renderIntegratorPrBody(integratorInput({ proof, goal: goalRecord('g'.repeat(MB)) })),
    ]) {
      expectFits(body);
      expect(body).toContain('### Known gaps (5000)');
      expect(body).toContain('### Failures (2000)');
      for (let code = 0; code < 300; code += 1) expect(body).toContain(`\`code_${code}\``);
      for (let code = 0; code < 50; code += 1) expect(body).toContain(`\`failure_${code}\``);
    }
  });

  it('stays under the limit even with 5,000 distinct long gap codes (the block then counts what it left out)', () => {
    const knownGaps = Array.from({ length: 5000 }, (_, index) => ({
      code: `c${index}_${'x'.repeat(40)}`,
      message: 'm',
    }));
    const body = renderSlicePrBody(sliceInput({ proof: withGaps(buildProof(evidence()), knownGaps) }));
    expectFits(body);
    expect(body).toContain('### Known gaps (5000)');
    expect(readProofBlock(body)).toMatchObject({ form: 'digest', valid: true });
  });

  it('renders huge inputs deterministically', () => {
    const proof = withGaps(buildProof(evidence()), gaps(5000, 300));
    const input = sliceInput({ proof });
    const big = { ...input, slice: { ...input.slice, changedFiles: files(10_000) } };
    expect(renderSlicePrBody(big)).toBe(renderSlicePrBody(big));
  });

  it('renders each fold as a fresh render would, whatever fold came before (sections re-rendered only when a field they read changed)', () => {
    // Every fold field changes this input's text: long tails and evidence, > 100 files, a decision,
    // text over 2,000 characters, messages over 300, and two failures sharing a code; the full
    // proof fits, so the 18 folds are walked.
    const long = (word: string) => `${word} ${'w'.repeat(2500)}`;
    const failures = ['a', 'b'].map((name) => ({
      code: 'gate_failed',
      message: `failure ${name} ${'f'.repeat(400)}`,
      evidence: bigTail(`evidence ${name}`).slice(-2000),
    }));
    const base = buildProof(
      evidence({
        goalText: long('goal'),
        gates: [gate({ outcome: 'failed', tail: bigTail('t').slice(-3000) })],
      }),
    );
    const proof = withGaps(base, gaps(12, 3), failures);
    const input = sliceInput({ proof, goal: goalRecord(long('goal')) });
    const slice = {
      ...input.slice,
      task: { ...input.slice.task, title: long('title') },
      changedFiles: files(150),
      gates: [gate({ outcome: 'failed', sha: SLICE_SHA, tail: bigTail('slice') })],
    };
    const bodies = [
      () => sliceBodySections({ ...input, slice }),
      () =>
        integratorBodySections(
          integratorInput({ proof, goal: goalRecord(long('goal')), branch: long('branch') }),
        ),
    ];
    for (const sections of bodies) {
      const { folds } = sections();
      expect(folds).toHaveLength(18);
      const fresh = folds.map((fold) => sections().render(fold));
      // Consecutive folds differ in one field at a time: each field must be seen changing.
      expect(new Set(fresh.map((parts) => JSON.stringify(parts))).size).toBeGreaterThan(10);
      for (const order of [folds, [...folds].reverse()]) {
        const shared = sections();
        for (const fold of order) expect(shared.render(fold)).toEqual(fresh[folds.indexOf(fold)]);
      }
    }
  });
});
