import { keepsBranchesLocally } from './delivery-target.js';

/**
 * What each step of a workflow does with a goal: `creates` it from a goal text (the others work
 * on a goal id; fix may take it from the PR's branch), `executes` repository code (agents, gates:
 * refused on a fork's head without opt-in), takes a `slice`, `delivers` by the goal's policies
 * when it settles, and `runsPending` slices no matrix job ran (waves deeper than the matrix).
 */
const WORKFLOW_STEPS = {
  run: { creates: true, executes: true, slice: false, delivers: true, runsPending: false },
  plan: { creates: true, executes: false, slice: false, delivers: false, runsPending: false },
  execute: { creates: false, executes: true, slice: true, delivers: true, runsPending: false },
  verify: { creates: false, executes: true, slice: true, delivers: false, runsPending: false },
  review: { creates: false, executes: true, slice: true, delivers: false, runsPending: false },
  integrate: { creates: false, executes: true, slice: true, delivers: true, runsPending: true },
  'open-pr': { creates: false, executes: false, slice: false, delivers: false, runsPending: false },
  merge: { creates: false, executes: false, slice: false, delivers: false, runsPending: false },
  accept: { creates: false, executes: false, slice: false, delivers: false, runsPending: false },
  status: { creates: false, executes: false, slice: true, delivers: false, runsPending: false },
  fix: { creates: false, executes: true, slice: false, delivers: false, runsPending: false },
} as const;

export type WorkflowStep = keyof typeof WORKFLOW_STEPS;
export type WorkflowStepTrait = keyof (typeof WORKFLOW_STEPS)[WorkflowStep];
export const WORKFLOW_STEP_NAMES = Object.keys(WORKFLOW_STEPS) as [WorkflowStep, ...WorkflowStep[]];

/** Whether `step` has `trait`. */
export function workflowStepHas(step: WorkflowStep, trait: WorkflowStepTrait): boolean {
  return WORKFLOW_STEPS[step][trait];
}

/** The steps that have `trait`, in the table's order. */
export function workflowStepsWhere(trait: WorkflowStepTrait): WorkflowStep[] {
  return WORKFLOW_STEP_NAMES.filter((step) => WORKFLOW_STEPS[step][trait]);
}

/** Events whose runs hold the base repository's write token and secrets while a PR is open. */
const PRIVILEGED_PR_EVENTS: readonly string[] = ['pull_request_target'];

/** Whether `eventName` runs with the base repository's secrets while a PR's code is checked out. */
export function privilegedPrEvent(eventName: string | undefined): boolean {
  return eventName !== undefined && PRIVILEGED_PR_EVENTS.includes(eventName);
}

/**
 * After a step executes a goal: deliver and merge by the goal's policies, only show that delivery
 * (a dry run of run or execute), or stop ('none': the step does not deliver, or integrate's dry
 * run, which delivers nothing and shows nothing).
 */
export function workflowDelivery(step: WorkflowStep, dryRun: boolean): 'deliver' | 'dry-run' | 'none' {
  if (!WORKFLOW_STEPS[step].delivers) return 'none';
  if (!dryRun) return 'deliver';
  return step === 'integrate' ? 'none' : 'dry-run';
}

/**
 * A runner's repository is discarded with its job: a goal a step creates with a policy that keeps
 * its branches locally is lost to every later job unless this job delivers it.
 */
export function warnsLocalPolicy(step: WorkflowStep, policy: string): boolean {
  return WORKFLOW_STEPS[step].creates && keepsBranchesLocally(policy);
}
