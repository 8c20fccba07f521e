/**
 * What a user can do next, as data: a hint is words with steps between them, and each front door
 * spells a step as its own command (`omk goal resume g-1`, `/omk goal resume g-1`,
 * `command: execute`). The runtime never spells one, so a hint in an error or in proof.json reads
 * right whichever front door shows it.
 */

/** Steps about one goal. */
export const GOAL_STEPS = [
  'status',
  'pause',
  'resume',
  'proof',
  'open_pr',
  'accept',
  'merge',
  'budget_add',
] as const;
/**
 * Steps about no goal in particular: start one (or one that means to change what its gates run, or
 * its CI workflows, or
 * one whose agents the user declares trusted: the sandbox off), list them (this repository's, or
 * every repository's), take over those whose controller died.
 */
export const GENERAL_STEPS = [
  'run',
  'run_gate_edits',
  'run_workflow_edits',
  'run_sandbox_off',
  'list',
  'list_all',
  'resume_orphans',
] as const;

// Plain types, no zod: runtime/errors.ts imports this module, and what imports the errors (the
// git adapter, the Action's post step) must not load zod. proof/schema.ts validates hints.
/** The budget limits a goal has; a `budget_add` step may name the one to raise. */
export const BUDGET_LIMITS = ['time', 'tokens', 'usd'] as const;
export type BudgetLimitName = (typeof BUDGET_LIMITS)[number];

export type NextStep =
  | { step: (typeof GOAL_STEPS)[number]; goalId: string; limit?: BudgetLimitName }
  | { step: (typeof GENERAL_STEPS)[number] };
export type StepName = NextStep['step'];

/** A hint: words, and the steps between them (['Resume with ', { step: 'resume', goalId }, '.']). */
export type Hint = (string | NextStep)[];

/** How a front door writes a step in a sentence. */
export type StepSpelling = (step: NextStep) => string;

/**
 * omk's own command words, for readers no front door words for (logs, PR bodies, check runs). A
 * step on a goal is its command (`open_pr`: `goal open-pr`); the others are spelled here. (Derived,
 * not listed: the Action's post step loads this module, within a budget of bytes.)
 */
const RUN = 'goal run "<goal>"';
const NEUTRAL_WORDS: Record<(typeof GENERAL_STEPS)[number], string> = {
  run: RUN,
  run_gate_edits: `${RUN} --allow-gate-edits`,
  run_workflow_edits: `${RUN} --allow-workflow-edits`,
  run_sandbox_off: `${RUN} --sandbox off`,
  list: 'goal list',
  list_all: 'goal list --all',
  resume_orphans: 'goal resume --auto',
};

export const NEUTRAL_STEPS: StepSpelling = (step) =>
  'goalId' in step ? `'goal ${step.step.replace('_', '-')} ${step.goalId}'` : `'${NEUTRAL_WORDS[step.step]}'`;

export function wordHint(hint: Hint, spell: StepSpelling): string {
  return hint.map((part) => (typeof part === 'string' ? part : spell(part))).join('');
}
