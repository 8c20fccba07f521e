import { NEUTRAL_STEPS, type StepSpelling } from '../next-steps.js';
import { type FieldSpelling, NEUTRAL_SPELLING } from '../request-issue-text.js';

/**
 * How a front door words what a message points its user to. The runtime says what to do (set
 * the merge policy to gated, merge the goal); the host spells it: a flag and an `omk goal` command
 * on the terminal, an input and a step in a workflow, an option and a `/omk goal` comment on GitHub.
 * Each front door's wording module (cli/wording.ts, action/wording.ts, bot/wording.ts) makes one.
 */
export interface HostVocabulary {
  fields: FieldSpelling;
  steps: StepSpelling;
}

/** The runtime's own words, for hosts without their own (tests, library use). */
export const plainVocabulary: HostVocabulary = { fields: NEUTRAL_SPELLING, steps: NEUTRAL_STEPS };
