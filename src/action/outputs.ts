import { pullRequestOf } from '../runtime/app/index.js';
import type { CommandOutcome } from './outcome.js';

/** Every output in action.yml (a test keeps them equal). */
export const OUTPUT_NAMES = [
  'goal-id',
  'status',
  'proof-json',
  'proof-path',
  'pr-urls',
  'integrator-pr',
  'merged',
  'slices',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** The step's outputs; lists are JSON so `fromJSON()` can feed a matrix or a later step. */
export function actionOutputs(outcome: CommandOutcome): Record<OutputName, string> {
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
