import type { Proof } from '../proof/schema.js';
import { countProofBlocks, readProofBlock } from './proof-block.js';

/** The parts of a proof a merge decides on: the verdict and the commits it is about. */
interface Verdict {
  status: string;
  headSha: string | null;
  baseSha: string | null;
}

const verdictOf = (proof: Proof): Verdict => ({
  status: proof.status,
  headSha: proof.git.headSha,
  baseSha: proof.git.baseSha,
});

const VERDICT_KEYS: readonly (keyof Verdict)[] = ['status', 'headSha', 'baseSha'];

function differences(claimed: Verdict, evidence: Proof): string[] {
  const given = verdictOf(evidence);
  return VERDICT_KEYS.filter((key) => claimed[key] !== given[key]).map(
    (key) => `${key} ${claimed[key] ?? 'none'} where the evidence gives ${given[key] ?? 'none'}`,
  );
}

/**
 * Why the stored proof cannot be trusted for a merge, or nothing: a merge trusts nothing it reads.
 * `stored` is proof.json, `rebuilt` the proof the evidence gives now (events, gate results, SHAs),
 * `body` the PR's body, whose hidden block must be omk's one block and agree with the evidence.
 */
export function proofIntegrityProblems(stored: Proof, rebuilt: Proof, body: string): string[] {
  const problems: string[] = [];
  const stale = differences(verdictOf(stored), rebuilt);
  if (stale.length > 0) problems.push(`proof.json does not match its evidence (${stale.join('; ')})`);
  const blocks = countProofBlocks(body);
  if (blocks === 0) problems.push('the PR body has no omk proof block: it was removed');
  else if (blocks > 1) problems.push(`the PR body has ${blocks} omk proof blocks; omk writes one`);
  const block = readProofBlock(body);
  if (block.found && !block.valid) problems.push("the PR body's proof block was edited or damaged");
  if (block.found && block.valid) {
    const shown = differences(block, rebuilt);
    if (shown.length > 0)
      problems.push(`the PR body's proof block disagrees with the evidence (${shown.join('; ')})`);
  }
  return problems;
}
