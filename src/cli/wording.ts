import type { RequestField, RequestIssue, TextField } from '../runtime/app/index.js';
import type { DoctorWords, HostVocabulary } from '../runtime/app/ports.js';
import { describeIssues, type FieldSpelling, type StepSpelling } from '../runtime/app/render.js';

/** How the CLI spells each request field: its flag (the goal is an argument), and its command. */
const FLAGS: Record<RequestField, { flag: string; command: string }> = {
  goal: { flag: '<goal>', command: 'run' },
  policy: { flag: '--policy', command: 'run' },
  mergePolicy: { flag: '--merge-policy', command: 'run' },
  sliceExecution: { flag: '--slice-execution', command: 'run' },
  maxAgents: { flag: '--max-agents', command: 'run' },
  plannerTokenBudget: { flag: '--planner-token-budget', command: 'run' },
  budgetTime: { flag: '--budget-time', command: 'run' },
  budgetTokens: { flag: '--budget-tokens', command: 'run' },
  budgetUsd: { flag: '--budget-usd', command: 'run' },
  time: { flag: '--time', command: 'budget-add' },
  tokens: { flag: '--tokens', command: 'budget-add' },
  usd: { flag: '--usd', command: 'budget-add' },
  summary: { flag: '--summary', command: 'accept' },
  reason: { flag: '--reason', command: 'reject' },
  agent: { flag: '--agent', command: 'run' },
  baseBranch: { flag: '--base-branch', command: 'open-pr' },
  mergeMethod: { flag: '--method', command: 'merge' },
  sandbox: { flag: '--sandbox', command: 'run' },
  agentArgs: { flag: 'agents.settings.<agent>.extraArgs', command: 'run' },
};

const TEXT_FIELDS: readonly RequestField[] = ['goal', 'summary', 'reason'] satisfies TextField[];

function given(field: RequestField, value: string): string {
  if (field === 'goal') return `"${value}"`;
  return TEXT_FIELDS.includes(field) ? `${FLAGS[field].flag} "${value}"` : `${FLAGS[field].flag} ${value}`;
}

export const CLI_SPELLING: FieldSpelling = {
  name: (field) => FLAGS[field].flag,
  given,
  example: (field, value) => `omk goal ${FLAGS[field].command} ${given(field, value)}`,
  command: (field) => FLAGS[field].command,
};

/** Request issues as the CLI prints them: one line each, naming flags (`--merge-policy gated`). */
export function wordIssues(issues: readonly RequestIssue[]): string {
  return describeIssues(issues, CLI_SPELLING);
}

/** A next step as the command a CLI user types. */
export const CLI_STEPS: StepSpelling = (step) => {
  switch (step.step) {
    case 'status':
    case 'pause':
    case 'resume':
    case 'proof':
      return `'omk goal ${step.step} ${step.goalId}'`;
    case 'open_pr':
      return `'omk goal open-pr ${step.goalId}'`;
    case 'merge':
      return `'omk goal merge ${step.goalId}'`;
    case 'budget_add':
      return `'omk goal budget-add ${step.goalId} --time 1h'`;
    case 'run':
      return `'omk goal run "<goal>"'`;
    case 'list':
      return `'omk goal list'`;
    case 'resume_orphans':
      return `'omk goal resume --auto'`;
  }
};

/** The options `omk doctor`'s fixes point to. */
export const CLI_DOCTOR_WORDS: DoctorWords = {
  agent: '--agent',
  repo: '--repo',
  stateDir: '--state-dir',
  forge: '--forge',
  jsonReport: 'omk doctor --json',
};

/** The terminal's words for everything the runtime points a user to. */
export const CLI_WORDS: HostVocabulary = { fields: CLI_SPELLING, steps: CLI_STEPS };
