import type {
  RequestField,
  RequestIssue,
  SharedStepNotice,
  WorkflowInputField,
  WorkflowInputIssue,
} from '../runtime/app/index.js';
import { DEFAULT_STATE_BRANCH } from '../runtime/app/index.js';
import type { HostVocabulary } from '../runtime/app/ports.js';
import {
  describeIssue,
  type FieldSpelling,
  NEUTRAL_SPELLING,
  NEUTRAL_STEPS,
  opensWithName,
  type StepSpelling,
} from '../runtime/app/render.js';
import { GOAL_ID_EXAMPLE, type InputName } from './inputs.js';

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

/** The action.yml input of each field the runtime's workflow-input rules name. */
export const WORKFLOW_INPUTS: Record<WorkflowInputField, InputName> = {
  goal: 'goal',
  goalId: 'goal-id',
  goalKey: 'goal-key',
  slice: 'slice',
  stateBranch: 'state-branch',
  dryRun: 'dry-run',
};

const GOAL_EXAMPLE = 'goal: fix the failing test in src/math.js and add a regression test';

/** Inputs that do not go with the command (`workflowInputIssues`), each with a correct example. */
export function wordInputIssue(issue: WorkflowInputIssue): string {
  switch (issue.code) {
    case 'goal_required':
      return `goal: required when command is ${issue.step}. Example: ${GOAL_EXAMPLE}`;
    case 'goal_id_on_creating':
      return `goal-id: ${issue.step} creates a new goal, so it takes no goal-id. To continue goal ${issue.goalId}, use command: execute. Example: command: execute`;
    case 'goal_id_required':
      return `goal-id: required when command is ${issue.step}. Example: ${GOAL_ID_EXAMPLE}`;
    case 'goal_key_not_creating':
      return `goal-key: only ${issue.creating.join(' and ')} take a goal-key (it tells apart the goals they create); ${issue.step} works on goal-id. Example: ${GOAL_ID_EXAMPLE}`;
    case 'slice_not_taken':
      return `slice: only ${issue.slicing.join(', ')} take a slice, not ${issue.step}. Example: command: execute`;
    case 'state_is_base':
      return `state-branch: '${issue.base}' is also the base-branch; goal state is never committed onto the code it delivers to. Example: state-branch: ${DEFAULT_STATE_BRANCH}`;
    case 'no_dry_run':
      return `dry-run: ${issue.step} has no dry run. See what merging would need with command: status. Example: dry-run: false`;
  }
}

/** A shared step's notice (`savedNotice`, `proofNotice`); `stateBranch` is the state-branch input. */
export function wordNotice(notice: SharedStepNotice, stateBranch: string): string {
  switch (notice.kind) {
    case 'saved':
      return `goal ${notice.goalId} saved to ${stateBranch} at ${notice.commit}`;
    case 'kept_on_runner':
      return `dry-run: goal ${notice.goalId} stays on this runner; the state branch is not updated`;
    case 'edited_proof':
      return `proof.json of goal ${notice.goalId} does not match its digest: it was edited. Do not trust it.`;
  }
}
