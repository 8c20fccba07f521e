import { pullRequestOf } from '../runtime/app/index.js';
import type { CommandOutcome } from './outcome.js';

/**
 * The step's outputs, each under its name in action.yml (test/action/metadata.test.ts keeps the
 * two sets equal); lists are JSON so `fromJSON()` can feed a matrix or a later step.
 */
export function actionOutputs(outcome: CommandOutcome) {
  const { proof } = outcome;
  const pulls = proof.delivery.pullRequests;
  return {
    'goal-id': outcome.goalId,
    status: outcome.sliceStatus ?? proof.status,
    'proof-json': JSON.stringify(proof),
    'proof-path': outcome.proofPath,
    'pr-urls': JSON.stringify(pulls.map((pull) => pull.url)),
    'integrator-pr': pullRequestOf(proof, null)?.url ?? '',
    merged: String(proof.delivery.merge !== null),
    slices: JSON.stringify(outcome.slices),
  };
}
