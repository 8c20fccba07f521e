import { describe, expect, it } from 'vitest';
import { buildProof } from './build.js';
import { verifyProofDigest } from './digest.js';
import { checkFreshness, proofForTree } from './fresh.js';
import { BASE_SHA, evidence, HEAD_SHA, OLD_SHA } from './test-evidence.js';

const ready = buildProof(evidence());
const shownAsBuilt = { baseSha: BASE_SHA, headSha: HEAD_SHA };

describe('checkFreshness', () => {
  it('is fresh only for exactly the base and head the proof names', () => {
    expect(checkFreshness(ready, shownAsBuilt)).toEqual({ fresh: true });
  });

  it('is stale when the head moved, naming both SHAs', () => {
    const result = checkFreshness(ready, { baseSha: BASE_SHA, headSha: OLD_SHA });
    expect(result).toEqual({
      fresh: false,
      reason: expect.stringMatching(/head cccccc.* head shown is aaaaaa/),
    });
  });

  it('is stale when the base moved (the PR was rebased or retargeted)', () => {
    const result = checkFreshness(ready, { baseSha: OLD_SHA, headSha: HEAD_SHA });
    expect(result.fresh).toBe(false);
    if (!result.fresh) expect(result.reason).toContain('base');
  });

  it('never treats a null SHA as fresh, on either side', () => {
    expect(checkFreshness(ready, { baseSha: null, headSha: HEAD_SHA }).fresh).toBe(false);
    expect(checkFreshness(ready, { baseSha: BASE_SHA, headSha: null }).fresh).toBe(false);
    const headless = buildProof(evidence({ git: { baseRef: 'main', baseSha: BASE_SHA, headSha: null } }));
    expect(checkFreshness(headless, { baseSha: BASE_SHA, headSha: null }).fresh).toBe(false);
  });

  it('does not accept an abbreviated SHA, and lengthens short forms until they differ', () => {
    expect(checkFreshness(ready, { baseSha: BASE_SHA, headSha: HEAD_SHA.slice(0, 7) }).fresh).toBe(false);
    const near = `${HEAD_SHA.slice(0, 10)}d${HEAD_SHA.slice(11)}`;
    const result = checkFreshness(ready, { baseSha: BASE_SHA, headSha: near });
    expect(result).toEqual({
      fresh: false,
      reason: expect.stringContaining('ccccccccccc but the head shown is ccccccccccd'),
    });
  });
});

describe('proofForTree', () => {
  it('returns an equal copy for the tree the proof was built for', () => {
    const shown = proofForTree(ready, shownAsBuilt);
    expect(shown).toEqual(ready);
    expect(shown).not.toBe(ready);
  });

  it('downgrades a stale ready proof to not_ready with a stale gap and a recomputed digest', () => {
    const before = JSON.stringify(ready);
    const shown = proofForTree(ready, { baseSha: BASE_SHA, headSha: OLD_SHA });
    expect(shown.status).toBe('not_ready');
    expect(shown.knownGaps).toEqual([{ code: 'stale_proof', message: expect.stringContaining('stale') }]);
    expect(shown.digest).not.toBe(ready.digest);
    expect(verifyProofDigest(shown)).toBe(true);
    expect(JSON.stringify(ready)).toBe(before);
  });

  it('adds the stale gap to other statuses without changing them', () => {
    const failed = buildProof(
      evidence({ failures: [{ code: 'crash', message: 'agent crashed', evidence: '' }] }),
    );
    const shown = proofForTree(failed, { baseSha: null, headSha: null });
    expect(shown.status).toBe('failed');
    expect(shown.knownGaps.map((gap) => gap.code)).toEqual(['stale_proof']);
  });

  it('is idempotent', () => {
    const tree = { baseSha: BASE_SHA, headSha: OLD_SHA };
    const once = proofForTree(ready, tree);
    expect(proofForTree(once, tree)).toEqual(once);
  });

  it('does not launder a proof edited after it was built', () => {
    const notReady = buildProof(evidence({ execution: 'in_progress' }));
    const forged = { ...notReady, status: 'ready' as const, knownGaps: [] };
    const shown = proofForTree(forged, shownAsBuilt);
    expect(shown.status).toBe('not_ready');
    expect(shown.knownGaps.map((gap) => gap.code)).toEqual(['digest_mismatch']);
  });
});
