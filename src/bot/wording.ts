import type { RequestField, RequestIssue, TextField } from '../runtime/app/index.js';
import type { HostVocabulary } from '../runtime/app/ports.js';
import { describeIssues, type FieldSpelling, type StepSpelling } from '../runtime/app/render.js';
import { type FlaggedField, flagFor, isFlagged } from './flags.js';
import type { Subcommand } from './usage.js';

/**
 * How a `/omk goal` comment spells a request field it takes no option for (its options and the
 * subcommands that take them: flags.ts). The bot takes no slice execution option (it always runs
 * the default), so that issue never reaches a comment; it is spelled like an option all the same.
 */
const UNFLAGGED: Record<Exclude<RequestField, FlaggedField>, { option: string; command: Subcommand }> = {
  goal: { option: '"<goal>"', command: 'run' },
  sliceExecution: { option: '--slice-execution', command: 'run' },
  // Set for the whole app (OMK_BOT_AGENT), and PRs target the repository's default branch.
  agent: { option: 'OMK_BOT_AGENT', command: 'run' },
  baseBranch: { option: 'the default branch', command: 'open-pr' },
  // The bot takes neither: it merges by the repository's default and runs with the app's sandbox.
  mergeMethod: { option: '--method', command: 'merge' },
  sandbox: { option: '--sandbox', command: 'run' },
  agentArgs: { option: 'agent arguments (the bot takes none)', command: 'run' },
};

function spelling(field: RequestField): { option: string; command: Subcommand } {
  return isFlagged(field) ? flagFor(field) : UNFLAGGED[field];
}

const TEXT_FIELDS: readonly RequestField[] = ['goal', 'summary', 'reason'] satisfies TextField[];

function given(field: RequestField, value: string): string {
  if (field === 'goal') return `"${value}"`;
  if (field === 'agent') return `OMK_BOT_AGENT=${value} in the app's environment`;
  if (field === 'baseBranch') return `a default branch (${value}) on the repository`;
  const { option } = spelling(field);
  return TEXT_FIELDS.includes(field) ? `${option} "${value}"` : `${option} ${value}`;
}

export const BOT_SPELLING: FieldSpelling = {
  name: (field) => spelling(field).option,
  given,
  example: (field, value) => `/omk goal ${spelling(field).command} ${given(field, value)}`,
  command: (field) => spelling(field).command,
};

/** Request issues in the words of a `/omk goal` comment (`--merge-policy gated`, `/omk goal budget`). */
export function wordIssues(issues: readonly RequestIssue[]): string {
  return describeIssues(issues, BOT_SPELLING);
}

/**
 * A next step as a `/omk goal` comment. The bot keeps no goal list (its status comments are the
 * list) and cannot take over a goal whose controller died on another machine: that is the CLI's
 * `resume --auto`, run where the goal ran.
 */
export const BOT_STEPS: StepSpelling = (step) => {
  switch (step.step) {
    case 'status':
    case 'pause':
    case 'resume':
    case 'proof':
      return `'/omk goal ${step.step} ${step.goalId}'`;
    case 'open_pr':
      return `'/omk goal open-pr ${step.goalId}'`;
    case 'merge':
      return `'/omk goal merge ${step.goalId}'`;
    case 'budget_add':
      return `'/omk goal budget ${step.goalId} --time 1h'`;
    case 'run':
      return `'/omk goal run "<goal>"'`;
    case 'list':
      return "the goals' status comments in this thread";
    case 'resume_orphans':
      return "'omk goal resume --auto' on the machine that ran the goal";
  }
};

/** A comment's words for everything the runtime points a user to. */
export const BOT_WORDS: HostVocabulary = { fields: BOT_SPELLING, steps: BOT_STEPS };
