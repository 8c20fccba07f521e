import type { RequestField, RequestIssue } from '../runtime/app/index.js';
import type { HostVocabulary } from '../runtime/app/ports.js';
import {
  describeIssue,
  type FieldSpelling,
  NEUTRAL_SPELLING,
  NEUTRAL_STEPS,
  opensWithName,
  type StepSpelling,
} from '../runtime/app/render.js';
import type { InputName } from './inputs.js';

/**
 * The action.yml input of each request field. The Action creates goals only (no budget-add,
 * accept or reject, and the slice execution is always the default): those fields have no input
 * and keep the request's own words, though no Action step ever reports them.
 */
const INPUTS: Record<RequestField, InputName | null> = {
  goal: 'goal',
  policy: 'policy',
  mergePolicy: 'merge-policy',
  sliceExecution: null,
  maxAgents: 'max-agents',
  plannerTokenBudget: 'planner-token-budget',
  budgetTime: 'budget-time',
  budgetTokens: 'budget-tokens',
  budgetUsd: 'budget-usd',
  time: null,
  tokens: null,
  usd: null,
  summary: null,
  reason: null,
  agent: 'agent',
  baseBranch: 'base-branch',
  mergeMethod: 'merge-method',
  sandbox: 'sandbox',
  agentArgs: 'agent-args',
};

/** The input a message is about: action.yml's name, else the request's. */
export function inputOf(field: RequestField): string {
  return INPUTS[field] ?? field;
}

const given = (field: RequestField, value: string) => `${inputOf(field)}: ${value}`;

export const ACTION_SPELLING: FieldSpelling = {
  name: inputOf,
  given,
  // An input is set on its own line of `with:`, so the example is that line.
  example: given,
  // Only budget-add asks for one of several fields, and the Action has no budget-add.
  command: NEUTRAL_SPELLING.command,
};

/** An Action message opens with the input it is about (`input: …`), as annotations show it alone. */
export function inputMessage(input: string, message: string): string {
  return input === '' || message.startsWith(`${input}:`) ? message : `${input}: ${message}`;
}

/** A request issue in the Action's words: `merge-policy: 'x' is not one of …`, `goal: The goal …`. */
export function wordIssue(issue: RequestIssue): string {
  const text = describeIssue(issue, ACTION_SPELLING);
  if (issue.code === 'invalid' || opensWithName(issue)) return text;
  return `${inputOf(issue.field)}: ${text}`;
}

/**
 * A next step as the inputs of an omk step. Pausing, adding budget, listing goals and taking over
 * orphaned goals have no Action command (the bot or the CLI does them): omk's own words.
 */
export const ACTION_STEPS: StepSpelling = (step) => {
  switch (step.step) {
    case 'status':
    case 'proof':
      return `command: status with goal-id: ${step.goalId}`;
    case 'resume':
      return `command: execute with goal-id: ${step.goalId}`;
    case 'open_pr':
      return `command: open-pr with goal-id: ${step.goalId}`;
    case 'merge':
      return `command: merge with goal-id: ${step.goalId}`;
    case 'run':
      return 'command: run with a goal';
    default:
      return NEUTRAL_STEPS(step);
  }
};

/** A workflow's words for everything the runtime points a user to. */
export const ACTION_WORDS: HostVocabulary = { fields: ACTION_SPELLING, steps: ACTION_STEPS };

/**
 * A runner's repository is discarded with the job: a goal delivered `policy: local` keeps its
 * branches only there, so a later job's open-pr finds nothing to push.
 */
export const LOCAL_POLICY_WARNING =
  "policy: local keeps the goal's branches on this runner only: they vanish with it when the job " +
  'ends, and a later job (open-pr, integrate) cannot find them. Deliver in this job (a step with ' +
  'command: open-pr after this one), or use policy: draft-pr.';
