import { REVIEW_EVENTS } from '../adapters/actions-runner/review-event.js';
import {
  DEFAULT_STATE_BRANCH,
  describeNote,
  kebabName,
  NotFoundError,
  type RequestField,
  type RequestIssue,
  UsageError,
  type WorkflowInputField,
  type WorkflowInputIssue,
  type WorkflowRefusal,
  type WorkflowStep,
  type WorkflowStepFailure,
  type WorkflowStepNote,
  type WorkflowStepNotice,
} from '../runtime/app/index.js';
import type { HostVocabulary } from '../runtime/app/ports.js';
import {
  describeIssue,
  type FieldSpelling,
  NEUTRAL_SPELLING,
  NEUTRAL_STEPS,
  opensWithName,
  SANDBOX_OFF_IN_CONFIG,
  type StepSpelling,
} from '../runtime/app/render.js';

/** A workflow expression as a user writes it in YAML, for examples in messages. */
export const expression = (inner: string) => `\${{ ${inner} }}`;
export const GOAL_ID_EXAMPLE = `goal-id: ${expression('needs.plan.outputs.goal-id')}`;
export const SLICE_EXAMPLE = `slice: ${expression('matrix.slice')}`;
export const GOAL_KEY_EXAMPLE = `goal-key: ${expression('strategy.job-index')}`;

/**
 * Request fields no input sets: the Action has no budget-add or reject (accept's summary is the
 * summary input), and the slice execution is always the default, so they keep the request's own
 * words, though no Action step ever reports them.
 */
export const FIELDS_WITHOUT_INPUT: readonly string[] = ['sliceExecution', 'time', 'tokens', 'usd', 'reason'];

/** The action.yml input of a field: its name in kebab case (`mergePolicy` is merge-policy), else the request's. */
export function inputOf(field: RequestField | WorkflowInputField): string {
  return FIELDS_WITHOUT_INPUT.includes(field) ? field : kebabName(field);
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
  if (step.step === 'run') return 'command: run with a goal';
  if (step.step === 'run_gate_edits') return 'command: run with a goal and allow-gate-edits: true';
  if (step.step === 'run_workflow_edits') return 'command: run with a goal and allow-workflow-edits: true';
  if (step.step === 'run_sandbox_off')
    return `${SANDBOX_OFF_IN_CONFIG}command: run with a goal and sandbox: off`;
  // What the person read is the summary input: accept takes it.
  if (step.step === 'accept') return `command: accept with goal-id: ${step.goalId} and a summary`;
  const command = GOAL_STEP_COMMANDS[step.step];
  return command === undefined || !('goalId' in step)
    ? NEUTRAL_STEPS(step)
    : `command: ${command} with goal-id: ${step.goalId}`;
};

/** The command of an omk step that takes each step on a goal (its proof is read with status). */
const GOAL_STEP_COMMANDS: Partial<Record<Parameters<StepSpelling>[0]['step'], WorkflowStep>> = {
  status: 'status',
  proof: 'status',
  resume: 'execute',
  open_pr: 'open-pr',
  merge: 'merge',
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
    case 'summary_required':
      return `summary: required when command is ${issue.step}: say what you checked. Example: summary: read the new test script, it runs every test`;
    case 'summary_not_taken':
      return `summary: only accept takes a summary, not ${issue.step}. Example: command: accept`;
  }
}

/** A step's notice (`WorkflowStepNotice`); `stateBranch` is the state-branch input. */
export function wordNotice(notice: WorkflowStepNotice, stateBranch: string): string {
  switch (notice.kind) {
    case 'saved':
      return `goal ${notice.goalId} saved to ${stateBranch} at ${notice.commit}`;
    case 'kept_on_runner':
      return `dry-run: goal ${notice.goalId} stays on this runner; the state branch is not updated`;
    case 'edited_proof':
      return `proof.json of goal ${notice.goalId} does not match its digest: it was edited. Do not trust it.`;
    case 'pulled':
      return `goal ${notice.goalId} from ${stateBranch} at ${notice.commit}`;
    case 'merged':
      return `merged PR #${notice.pr} as ${notice.sha}`;
    case 'runner_branches':
      return `the goal's branches were not fetched, so this runner's are used: ${notice.why}`;
  }
}

/** A step's note: the runtime's in the Action's vocabulary, and the workflow's own. */
export function wordNote(note: WorkflowStepNote): string {
  switch (note.code) {
    case 'open_pr_dry_run':
      return 'dry-run: nothing was pushed or opened';
    case 'nothing_to_fix':
      return `Nothing to fix: ${note.why}.`;
    case 'fix_no_write':
      return `Nothing to fix: ${note.author} has ${note.role} permission on the repository; a fix needs write, maintain or admin.`;
    case 'accepted':
      return `Goal ${note.goalId}: ${note.previous} -> accepted, accepted by ${note.by}.`;
    case 'merge_not_evaluated':
      return `The gated merge did not take it: ${note.detail}.`;
    default:
      return describeNote(note, ACTION_WORDS);
  }
}

/** Why a step that ran fails anyway, in the Action's words. */
export function wordFailure(failure: WorkflowStepFailure): string {
  switch (failure.code) {
    case 'slice_unfinished':
      return `Slice ${failure.slice} did not finish (${failure.outcome}): ${failure.failure ?? 'see the job log'}`;
    case 'delivery_withheld':
      return `Goal ${failure.goalId} was not delivered whole: ${describeNote(failure.note, ACTION_WORDS)}.`;
    case 'merge_blocked':
      return `Goal ${failure.goalId} was not merged: PR #${failure.pr} is blocked by ${failure.blockedBy} (${failure.reasons.join('; ')}).`;
  }
}

/** A step's refusal as the error the step fails with, naming the input to change. */
export function wordRefusal(
  refusal: WorkflowRefusal,
  where: { stateBranch: string; eventName?: string },
): Error {
  switch (refusal.code) {
    case 'not_on_state_branch':
      return new NotFoundError(
        `goal-id: there is no goal '${refusal.goalId}' on the state branch ${where.stateBranch}${refusal.missing === 'branch' ? ' (the branch does not exist yet)' : ''}.`,
        {
          hint: `Pass the goal-id output of the run or plan step that created it, with the same state-branch. Example: ${GOAL_ID_EXAMPLE}`,
        },
      );
    case 'unknown_slice': {
      const [first] = refusal.slices;
      return new UsageError(
        `slice: '${refusal.slice}' is not a slice of goal ${refusal.goalId} (its slices: ${refusal.slices.join(', ') || 'none'}). Example: ${first === undefined ? SLICE_EXAMPLE : `slice: ${first}`}`,
        { hint: "Take slice ids from the plan step's slices output." },
      );
    }
    // Another cell of this matrix job holds the goal: the input that tells cells apart is goal-key.
    case 'sibling_cell': {
      const { goalId, holder } = refusal.error;
      const cell = holder === null ? '' : ` (attempt ${holder.attempt}, ${holder.runner})`;
      return new UsageError(
        `goal-key: goal ${goalId} belongs to another job of this workflow run${cell}: jobs with the same goal text in one run derive the same goal.`,
        {
          hint: `Give each cell of a matrix job a goal-key of its own. Example: ${GOAL_KEY_EXAMPLE}`,
          cause: refusal.error,
        },
      );
    }
    case 'not_a_review':
      return new UsageError(
        `command: fix reads a review from the event that started the workflow, and ${where.eventName ?? 'no event'} is not ${REVIEW_EVENTS.join(' or ')} with a pull request.`,
        { hint: 'Run it on: pull_request_review: types: [submitted] (docs/action.md has the workflow).' },
      );
    case 'accept_refused': {
      const { login, bot, role } = refusal.person;
      const who =
        login === null
          ? 'this job names no one who started it (GITHUB_ACTOR is not set)'
          : bot
            ? `${login}, who started this job, is a bot: an acceptance is a person's`
            : `${login}, who started this job, has ${role} permission on the repository; accepting a goal needs write, maintain or admin`;
      return new UsageError(`command: accept refused: ${who}. Nothing was changed.`, {
        hint: 'Accept from a workflow a person with write access starts (on: workflow_dispatch), or with omk goal accept or /omk goal accept.',
      });
    }
    case 'not_an_omk_pr':
      return new UsageError(
        `goal-id: not given, and PR #${refusal.pr ?? '?'}'s branch ${refusal.branch ?? ''} is not an omk branch (omk/<goal-id>/…).`,
        {
          hint: `Run fix only on omk PRs (if: startsWith(github.event.pull_request.head.ref, 'omk/')), or pass ${GOAL_ID_EXAMPLE}`,
        },
      );
  }
}
