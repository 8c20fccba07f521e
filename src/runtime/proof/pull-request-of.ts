import type { Proof } from './schema.js';

export type ProofPullRequest = Proof['delivery']['pullRequests'][number];

/** The PR the goal's delivery recorded for a slice (null: the integrator), if any. */
export function pullRequestOf(proof: Proof, sliceId: string | null): ProofPullRequest | null {
  return proof.delivery.pullRequests.find((pull) => pull.sliceId === sliceId) ?? null;
}
