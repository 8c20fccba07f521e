import { type DeliveryPlan, type Proof, type SliceWave, stepVerdict } from '../runtime/app/index.js';
import type { ActionCommand } from './inputs.js';

/** What a command did, as data: the runner turns it into outputs, a summary and a verdict. */
export interface CommandOutcome {
  command: ActionCommand;
  goalId: string;
  proof: Proof;
  proofPath: string;
  /** The `slices` output: what a matrix job needs to run one slice. */
  slices: SliceWave[];
  /** Whether the proof's status decides the step (run, execute, status). */
  judged: boolean;
  /** An expected refusal that fails the step (a blocked merge), in words. */
  refused: string | null;
  /** Things the user should know (why nothing was delivered, a blocked gated merge). */
  notes: string[];
  /** open-pr or run with dry-run: what delivery would do. */
  dryRunPlan: DeliveryPlan | null;
  /** status with slice: that slice's status in the proof. */
  sliceStatus: string | null;
}

/** Why the step fails, in the Action's words (the decision is `stepVerdict`), or null. */
export function verdict(outcome: CommandOutcome, failOnNotReady: boolean): string | null {
  const step = { refused: outcome.refused !== null, judged: outcome.judged, proof: outcome.proof };
  const decided = stepVerdict(step, { failOnNotReady });
  if (decided.kind === 'passes') return null;
  if (decided.kind === 'refused') return outcome.refused;
  const judged = decided.judgement;
  const goal = `The proof of goal ${outcome.goalId}`;
  if (judged.status === 'failed') {
    const why = judged.failures.map((message) => message.replace(/\.$/, ''));
    return `${goal} failed${why.length > 0 ? `: ${why.join('; ')}` : ''}. The job summary has the evidence.`;
  }
  const what = judged.status === 'blocked_on_human' ? 'is blocked on a human decision' : 'is not ready';
  return (
    `${goal} ${what}` +
    (judged.gaps.length > 0 ? ` (known gaps: ${judged.gaps.join(', ')})` : '') +
    '. The job summary lists what is missing; set fail-on-not-ready: false to let this step pass anyway.'
  );
}
