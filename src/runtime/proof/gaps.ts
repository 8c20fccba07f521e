import { NEUTRAL_STEPS, type StepSpelling, wordHint } from '../next-steps.js';
import type { Gap } from './schema.js';

/**
 * Gaps whose next step depends on the front door that shows them. Their message stays neutral
 * and the steps are data (gap.hint), so proof.json, PR bodies and check runs never carry one
 * front door's syntax.
 */

/**
 * The budget ran out: finished slices are kept, the next steps are to extend the budget and
 * resume. For the controller (controller/execute.ts), in place of a message that names the CLI.
 */
export function budgetSpentGap(limit: 'time' | 'tokens' | 'usd', goalId: string): Gap {
  return {
    code: 'budget_exhausted',
    message: `The ${limit} budget is spent; finished slices are kept.`,
    hint: ['Extend it with ', { step: 'budget_add', goalId }, ', then ', { step: 'resume', goalId }, '.'],
  };
}

/** A gap's message, then its hint with the steps spelled by `spell` (omk's own words by default). */
export function gapText(gap: Gap, spell: StepSpelling = NEUTRAL_STEPS): string {
  return gap.hint === undefined ? gap.message : `${gap.message} ${wordHint(gap.hint, spell)}`;
}

/** A copy of a gap, without a `hint` key when it has none (older proofs hash as they did). */
export function copyGap(gap: Gap): Gap {
  const { code, message, hint } = gap;
  return hint === undefined ? { code, message } : { code, message, hint: structuredClone(hint) };
}
