import { describe, expect, it } from 'vitest';
import { computeProofDigest } from '../proof/digest.js';
import type { Proof } from '../proof/schema.js';
import { OLD_SHA } from '../proof/test-evidence.js';
import { renderProofBlock, renderProofDigestBlock } from './proof-block.js';
import { proofIntegrityProblems } from './proof-integrity.js';
import { notReadyProof } from './test-delivery.js';

/** A proof edited by hand, its digest recomputed so that the digest check alone passes. */
function forged(proof: Proof, change: (copy: Proof) => void): Proof {
  const copy = structuredClone(proof);
  change(copy);
  const { digest: _old, ...body } = copy;
  return { ...copy, digest: computeProofDigest(body) };
}

const evidence = notReadyProof();
const body = (proof: Proof) => `## omk integration\n\nSome text.\n\n${renderProofBlock(proof)}\n`;

describe('proofIntegrityProblems: a merge trusts nothing it reads', () => {
  it('finds nothing when proof.json and the PR block agree with the evidence', () => {
    expect(proofIntegrityProblems(evidence, evidence, body(evidence))).toEqual([]);
    expect(proofIntegrityProblems(evidence, evidence, renderProofDigestBlock(evidence))).toEqual([]);
  });

  it('refuses a not_ready proof.json edited to ready with its digest recomputed', () => {
    const ready = forged(evidence, (copy) => {
      copy.status = 'ready';
    });
    const problems = proofIntegrityProblems(ready, evidence, body(evidence));
    expect(problems).toEqual([
      'proof.json does not match its evidence (status ready where the evidence gives not_ready)',
    ]);
  });

  it('refuses a proof.json that names another head', () => {
    const moved = forged(evidence, (copy) => {
      copy.git.headSha = OLD_SHA;
    });
    expect(proofIntegrityProblems(moved, evidence, body(evidence))[0]).toContain(`headSha ${OLD_SHA}`);
  });

  it('refuses a PR body whose block was removed, doubled, damaged or forged', () => {
    const ready = forged(evidence, (copy) => {
      copy.status = 'ready';
    });
    expect(proofIntegrityProblems(evidence, evidence, 'no block here')).toEqual([
      'the PR body has no omk proof block: it was removed',
    ]);
    expect(
      proofIntegrityProblems(evidence, evidence, `${body(evidence)}\n${renderProofBlock(ready)}`),
    ).toEqual(
      expect.arrayContaining([
        'the PR body has 2 omk proof blocks; omk writes one',
        "the PR body's proof block disagrees with the evidence (status ready where the evidence gives not_ready)",
      ]),
    );
    const damaged = body(evidence).replace(/(omk:proof v1 [A-Za-z0-9_-]{10})[A-Za-z0-9_-]/, '$1!');
    expect(proofIntegrityProblems(evidence, evidence, damaged)).toContain(
      "the PR body's proof block was edited or damaged",
    );
  });
});
