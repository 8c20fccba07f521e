import { computeProofDigest, verifyProofDigest } from './digest.js';
import type { Gap, Proof } from './schema.js';

export type Freshness = { fresh: true } | { fresh: false; reason: string };

type Shown = { baseSha: string | null; headSha: string | null };

/**
 * A proof is fresh for a PR/tree only when its base and head SHAs are exactly the ones shown; null
 * SHAs are never fresh. Exact string equality on purpose: an abbreviated or differently-cased SHA
 * is a caller bug to surface, not something to guess around.
 */
export function checkFreshness(proof: Proof, shown: Shown): Freshness {
  const problems = [
    compare('base', proof.git.baseSha, shown.baseSha),
    compare('head', proof.git.headSha, shown.headSha),
  ].filter((problem) => problem !== null);
  return problems.length === 0 ? { fresh: true } : { fresh: false, reason: problems.join('; ') };
}

function compare(side: 'base' | 'head', ours: string | null, shown: string | null): string | null {
  if (ours === null) return `the proof names no ${side} SHA`;
  if (shown === null) return `the ${side} SHA being shown is unknown`;
  if (ours === shown) return null;
  const [a, b] = distinguish(ours, shown);
  return `the proof is for ${side} ${a} but the ${side} shown is ${b}`;
}

/** Short forms, lengthened until they differ, so the message never reads "abc1234 but abc1234". */
function distinguish(a: string, b: string): [string, string] {
  let length = 7;
  while (length < Math.max(a.length, b.length) && a.slice(0, length) === b.slice(0, length)) length += 1;
  return [a.slice(0, length), b.slice(0, length)];
}

/**
 * The proof to show against a tree: a copy, with 'ready' downgraded to 'not_ready' and a gap
 * added when it is stale. A proof whose digest does not match its content was edited after it
 * was built, so it is downgraded the same way: re-digesting it silently would launder the edit.
 * Gaps are only added once, so applying this twice changes nothing more.
 */
export function proofForTree(proof: Proof, shown: Shown): Proof {
  const copy = structuredClone(proof);
  const added: Gap[] = [];
  if (!verifyProofDigest(proof)) {
    added.push({
      code: 'digest_mismatch',
      message:
        'The proof does not match its digest: it was changed after it was built. Rebuild it from the evidence.',
    });
  }
  const freshness = checkFreshness(proof, shown);
  if (!freshness.fresh) {
    added.push({
      code: 'stale_proof',
      message: `The proof is stale: ${freshness.reason}. Rebuild it for the tree being shown.`,
    });
  }
  const newGaps = added.filter(
    (gap) => !copy.knownGaps.some((known) => known.code === gap.code && known.message === gap.message),
  );
  if (added.length === 0) return copy;
  const next = {
    ...copy,
    status: copy.status === 'ready' ? 'not_ready' : copy.status,
    knownGaps: [...copy.knownGaps, ...newGaps],
  } satisfies Proof;
  return { ...next, digest: computeProofDigest(next) };
}
