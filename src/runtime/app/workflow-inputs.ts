import { type WorkflowStep, workflowStepHas, workflowStepsWhere } from './workflow-steps.js';

/** The inputs of one workflow step that go, or do not go, with its command. */
export interface WorkflowInputs {
  step: WorkflowStep;
  goal: boolean;
  goalId: string | undefined;
  goalKey: boolean;
  slice: boolean;
  baseBranch: string | undefined;
  stateBranch: string;
  dryRun: boolean;
  /** accept: what the person checked. */
  summary: boolean;
}

/** Which input an issue is about (a host spells it: action.yml's `goal-id`, …). */
export type WorkflowInputField =
  | 'goal'
  | 'goalId'
  | 'goalKey'
  | 'slice'
  | 'stateBranch'
  | 'dryRun'
  | 'summary';

/** Why a workflow step's inputs do not go together, as data a host words. */
export type WorkflowInputIssue =
  | { code: 'goal_required'; field: 'goal'; step: WorkflowStep }
  | { code: 'goal_id_on_creating'; field: 'goalId'; step: WorkflowStep; goalId: string }
  | { code: 'goal_id_required'; field: 'goalId'; step: WorkflowStep }
  | { code: 'goal_key_not_creating'; field: 'goalKey'; step: WorkflowStep; creating: WorkflowStep[] }
  | { code: 'slice_not_taken'; field: 'slice'; step: WorkflowStep; slicing: WorkflowStep[] }
  | { code: 'state_is_base'; field: 'stateBranch'; base: string }
  | { code: 'no_dry_run'; field: 'dryRun'; step: WorkflowStep }
  | { code: 'summary_required'; field: 'summary'; step: WorkflowStep }
  | { code: 'summary_not_taken'; field: 'summary'; step: WorkflowStep };

/** Steps that work on a goal without a goal-id: fix takes it from the PR's branch. */
const GOAL_ID_FROM_EVENT: readonly WorkflowStep[] = ['fix'];
/** Steps with no dry run: merge would change the repository to show what it does, accept the goal. */
const NO_DRY_RUN: readonly WorkflowStep[] = ['merge', 'accept'];
/** Steps that record what a person checked: accept, which needs it. */
const SUMMARY_STEPS: readonly WorkflowStep[] = ['accept'];

/**
 * The rules for which inputs go with which step: a creating step takes a goal and no goal id, every
 * other one a goal id (fix may read it from the PR); a goal key only where a goal is created; a
 * slice only where the step takes one; goal state never on the branch it delivers to; merge and
 * accept have no dry run; accept, and only accept, takes a summary. Every broken rule, in that order.
 */
export function workflowInputIssues(inputs: WorkflowInputs): WorkflowInputIssue[] {
  const { step } = inputs;
  const issues: WorkflowInputIssue[] = [];
  if (workflowStepHas(step, 'creates')) {
    if (!inputs.goal) issues.push({ code: 'goal_required', field: 'goal', step });
    if (inputs.goalId !== undefined) {
      issues.push({ code: 'goal_id_on_creating', field: 'goalId', step, goalId: inputs.goalId });
    }
  } else if (inputs.goalId === undefined && !GOAL_ID_FROM_EVENT.includes(step)) {
    issues.push({ code: 'goal_id_required', field: 'goalId', step });
  }
  if (inputs.goalKey && !workflowStepHas(step, 'creates')) {
    issues.push({
      code: 'goal_key_not_creating',
      field: 'goalKey',
      step,
      creating: workflowStepsWhere('creates'),
    });
  }
  if (inputs.slice && !workflowStepHas(step, 'slice')) {
    issues.push({ code: 'slice_not_taken', field: 'slice', step, slicing: workflowStepsWhere('slice') });
  }
  // Each branch is judged on its own where it is read (stateBranchProblem); together, only this.
  const base = inputs.baseBranch;
  if (base !== undefined && inputs.stateBranch === base) {
    issues.push({ code: 'state_is_base', field: 'stateBranch', base });
  }
  if (inputs.dryRun && NO_DRY_RUN.includes(step)) issues.push({ code: 'no_dry_run', field: 'dryRun', step });
  if (SUMMARY_STEPS.includes(step) && !inputs.summary)
    issues.push({ code: 'summary_required', field: 'summary', step });
  if (!SUMMARY_STEPS.includes(step) && inputs.summary)
    issues.push({ code: 'summary_not_taken', field: 'summary', step });
  return issues;
}

/** The longest goal key: a matrix value or index, not a document. */
const GOAL_KEY_MAX = 100;

/** Why a goal key (which tells apart the goals a matrix's cells create) cannot be used, or null. */
export function goalKeyProblem(value: string): string | null {
  if (/[\p{Cc}\p{Cf}]/u.test(value)) return 'it holds a control, format or zero-width character';
  if ([...value].length > GOAL_KEY_MAX) return `it is longer than ${GOAL_KEY_MAX} characters`;
  return null;
}
