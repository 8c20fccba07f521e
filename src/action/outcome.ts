import { saidByProgress, stepVerdict, type WorkflowStepOutcome } from '../runtime/app/index.js';
import { wordFailure, wordNote } from './wording.js';

/** What a command did, in the Action's words: the runner turns it into outputs, a summary and a verdict. */
export interface CommandOutcome extends Omit<WorkflowStepOutcome, 'failure' | 'notes'> {
  /** An expected refusal that fails the step (a blocked merge, an unfinished slice), in words. */
  refused: string | null;
  /** Things the user should know (why nothing was delivered, a blocked gated merge). */
  notes: string[];
  /** The notes the job summary lists: those its progress section does not already say. */
  summaryNotes: string[];
}

/** The use case's outcome in the Action's words. */
export function wordOutcome({ failure, notes, ...outcome }: WorkflowStepOutcome): CommandOutcome {
  return {
    ...outcome,
    refused: failure === null ? null : wordFailure(failure),
    notes: notes.map(wordNote),
    summaryNotes: notes.filter((note) => !saidByProgress(note)).map(wordNote),
  };
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
