import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildProof } from './build.js';
import { canonicalJson, computeProofDigest, verifyProofDigest } from './digest.js';
import { proofSchema } from './schema.js';
import { evidence } from './test-evidence.js';

describe('canonicalJson', () => {
  it('sorts object keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text for the same data whatever the key insertion order', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it('keeps arrays in their order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('drops undefined properties but keeps array slots as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('escapes strings exactly like JSON.stringify', () => {
    const tricky = 'quote " backslash \\ newline \n unicode é \u2028';
    expect(canonicalJson({ s: tricky })).toBe(`{"s":${JSON.stringify(tricky)}}`);
  });

  it('refuses values JSON would silently corrupt', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { k: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"k":1},{"k":1}]');
  });
});

describe('computeProofDigest', () => {
  const proof = buildProof(evidence());

  it('is the sha256 of the canonical JSON without the digest field', () => {
    const { digest, ...rest } = proof;
    const expected = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    expect(digest).toBe(`sha256:${expected}`);
    expect(computeProofDigest(proof)).toBe(digest);
    expect(computeProofDigest(rest)).toBe(digest);
  });

  it('is unchanged for gates without per-test results: the field is absent, not null', () => {
    const json = JSON.stringify(proof);
    expect(json).not.toContain('"tests"');
    const parsed = proofSchema.parse(JSON.parse(json));
    expect(parsed.gates[0]).not.toHaveProperty('tests');
    expect(computeProofDigest(parsed)).toBe(proof.digest);
  });

  it('does not depend on key order', () => {
    const reordered = Object.fromEntries(Object.entries(proof).reverse()) as typeof proof;
    expect(computeProofDigest(reordered)).toBe(proof.digest);
  });
});

describe('verifyProofDigest', () => {
  it('accepts a proof as built', () => {
    expect(verifyProofDigest(buildProof(evidence()))).toBe(true);
  });

  it('rejects a proof edited after it was built', () => {
    const proof = buildProof(evidence({ gates: [] }));
    expect(proof.status).toBe('not_ready');
    expect(verifyProofDigest({ ...proof, status: 'ready', knownGaps: [] })).toBe(false);
  });

  it('rejects a proof with a forged digest', () => {
    expect(verifyProofDigest({ ...buildProof(evidence()), digest: `sha256:${'0'.repeat(64)}` })).toBe(false);
  });
});
