import { describe, expect, it } from 'vitest';
import { SiblingCellError, UsageError } from '../runtime/app/index.js';
import { gapText } from '../runtime/app/render.js';
import { buildProof } from '../runtime/proof/build.js';
import { unconfinedEvidence } from '../runtime/proof/test-evidence.js';
import {
  SAMPLE_ISSUES,
  SAMPLE_STEPS,
  type SampleIssue,
  type SampleStep,
} from '../runtime/test-wording-samples.js';
import {
  ACTION_STEPS,
  inputMessage,
  wordFailure,
  wordInputIssue,
  wordIssue,
  wordNotice,
  wordRefusal,
} from './wording.js';

const UNITS = '(units: s, m, h, d; e.g. 90s, 8h, 7d, 1h30m)';

/**
 * Each message opens with the input, examples are `input: value` lines of `with:`. For the fields
 * of a new goal these are the messages the Action printed before issues were data.
 */
const EXPECTED: Record<SampleIssue, string> = {
  policy: "policy: 'yolo' is not one of local, draft-pr, auto-pr. Example: policy: draft-pr",
  mergePolicy: "merge-policy: 'always' is not one of disabled, manual, gated. Example: merge-policy: gated",
  budgetTime: `budget-time: '5x' is not a duration. Use a number with a unit: budget-time: 30m ${UNITS}.`,
  budgetTimeZero: `budget-time: '0m' must be greater than zero. Example: budget-time: 30m ${UNITS}.`,
  budgetTokens:
    "budget-tokens: 'lots' is not a token count. Use a positive whole number, optionally with k or M: budget-tokens: 200000 or budget-tokens: 200k.",
  budgetUsd:
    "budget-usd: '-1' is not a positive amount of US dollars. Example: budget-usd: 25 or budget-usd: 7.50.",
  maxAgents: "max-agents: '0' must be a whole number from 1 to 64. Example: max-agents: 4.",
  goalEmpty: 'goal: The goal is empty. Example: goal: fix the failing tests',
  goalTooLong: 'goal: The goal is 9000 characters; the limit is 8000.',
  // The accept command's summary input, and budget (no input adds it): the request's words.
  summaryEmpty: 'summary is required and must not be empty. Example: summary: fixed the parser, tests green',
  budgetAddNone: 'This request needs at least one of time, tokens, usd. Example: time: 2h',
};

describe('Action wording of request issues', () => {
  it.each(Object.keys(EXPECTED) as SampleIssue[])('words %s as action.yml inputs', (name) => {
    expect(wordIssue(SAMPLE_ISSUES[name])).toBe(EXPECTED[name]);
  });

  it('never names a CLI flag or command', () => {
    for (const issue of Object.values(SAMPLE_ISSUES)) expect(wordIssue(issue)).not.toMatch(/--|omk goal/);
  });
});

describe('inputMessage', () => {
  it('opens a message with its input unless it already does', () => {
    expect(inputMessage('working-directory', 'Too small')).toBe('working-directory: Too small');
    expect(inputMessage('dry-run', "dry-run: 'yes' is not a boolean")).toBe(
      "dry-run: 'yes' is not a boolean",
    );
    expect(inputMessage('', 'Unrecognized key')).toBe('Unrecognized key');
  });
});

/** Steps the Action has a command for are its inputs; the others keep omk's own words. */
const STEPS: Record<SampleStep, string> = {
  status: 'command: status with goal-id: g-1',
  pause: "'goal pause g-1'",
  resume: 'command: execute with goal-id: g-1',
  proof: 'command: status with goal-id: g-1',
  accept: 'command: accept with goal-id: g-1 and a summary',
  open_pr: 'command: open-pr with goal-id: g-1',
  merge: 'command: merge with goal-id: g-1',
  budget_add: "'goal budget-add g-1'",
  run: 'command: run with a goal',
  run_gate_edits: 'command: run with a goal and allow-gate-edits: true',
  run_workflow_edits: 'command: run with a goal and allow-workflow-edits: true',
  run_sandbox_off:
    'set `sandbox: off` in .omk/config.yml, or for one run: command: run with a goal and sandbox: off',
  list: "'goal list'",
  list_all: "'goal list --all'",
  resume_orphans: "'goal resume --auto'",
};

describe('Action wording of next steps', () => {
  it.each(Object.keys(STEPS) as SampleStep[])('spells %s as step inputs', (name) => {
    expect(ACTION_STEPS(SAMPLE_STEPS[name])).toBe(STEPS[name]);
  });

  it('words the ways out of agents that ran unconfined with step inputs (sandbox: off)', () => {
    const [gap] = buildProof(unconfinedEvidence()).knownGaps;
    expect(gap?.code).toBe('agents_unconfined');
    expect(gap === undefined ? '' : gapText(gap, ACTION_STEPS)).toBe(
      `The agent script:fix.sh ran unconfined: the sandbox is auto and this host could not confine agents, so nothing kept it from writing outside its worktree (a tool's cache, the user's files, the checkout) to make the change look verified, which omk cannot fully detect. Let omk confine the agents (on Linux, bubblewrap where it can create namespaces: the warning says what this host lacks) and run the goal again; or, once a person has read the change, they accept it with command: accept with goal-id: g-1 and a summary and merge it with command: merge with goal-id: g-1; or, to declare the agents trusted, turn the sandbox off: set \`sandbox: off\` in .omk/config.yml, or for one run: command: run with a goal and sandbox: off.`,
    );
  });
});

describe("wordNotice: a shared step's notices as the Action printed them", () => {
  it('names the state branch and commit of a save, a dry run kept here, and an edited proof', () => {
    expect(
      wordNotice({ kind: 'saved', level: 'info', goalId: 'g-1', commit: '0123456789ab' }, 'omk/state-v2'),
    ).toBe('goal g-1 saved to omk/state-v2 at 0123456789ab');
    expect(wordNotice({ kind: 'kept_on_runner', level: 'info', goalId: 'g-1' }, 'omk/state')).toBe(
      'dry-run: goal g-1 stays on this runner; the state branch is not updated',
    );
    expect(wordNotice({ kind: 'edited_proof', level: 'warn', goalId: 'g-1' }, 'omk/state')).toBe(
      'proof.json of goal g-1 does not match its digest: it was edited. Do not trust it.',
    );
  });
});

describe('wordInputIssue: inputs that do not go with the command', () => {
  it('opens with the input and shows a correct example', () => {
    expect(
      wordInputIssue({
        code: 'goal_key_not_creating',
        field: 'goalKey',
        step: 'status',
        creating: ['run', 'plan'],
      }),
    ).toBe(
      `goal-key: only run and plan take a goal-key (it tells apart the goals they create); status works on goal-id. Example: goal-id: ${'$'}{{ needs.plan.outputs.goal-id }}`,
    );
    expect(wordInputIssue({ code: 'state_is_base', field: 'stateBranch', base: 'omk/x' })).toBe(
      "state-branch: 'omk/x' is also the base-branch; goal state is never committed onto the code it delivers to. Example: state-branch: omk/state",
    );
    expect(wordInputIssue({ code: 'goal_required', field: 'goal', step: 'plan' })).toBe(
      'goal: required when command is plan. Example: goal: fix the failing test in src/math.js and add a regression test',
    );
  });
});

describe('wordRefusal: a goal held by another cell of the matrix job', () => {
  it("words it from the error's goal and holder, under goal-key, the error kept as its cause", () => {
    const held = new SiblingCellError('fix-it-3fa9c1', { attempt: '2', runner: 'runner-7 on host-a' });
    const refused = wordRefusal({ code: 'sibling_cell', error: held }, { stateBranch: 'omk/state' });
    expect(refused).toBeInstanceOf(UsageError);
    expect(refused.message).toBe(
      'goal-key: goal fix-it-3fa9c1 belongs to another job of this workflow run (attempt 2, runner-7 on host-a): jobs with the same goal text in one run derive the same goal.',
    );
    expect(refused.cause).toBe(held);
    const unread = new SiblingCellError('fix-it-3fa9c1', null);
    expect(wordRefusal({ code: 'sibling_cell', error: unread }, { stateBranch: 'omk/state' }).message).toBe(
      'goal-key: goal fix-it-3fa9c1 belongs to another job of this workflow run: jobs with the same goal text in one run derive the same goal.',
    );
  });
});

describe('wordFailure: an open-pr step a person stopped part-way', () => {
  it('fails the step naming what stays open and what was not opened', () => {
    const note = {
      code: 'withheld' as const,
      status: 'paused' as const,
      policy: 'auto-pr' as const,
      opened: [1],
      withheld: ['s2', 'integrator'],
    };
    expect(wordFailure({ code: 'delivery_withheld', goalId: 'g-1', note })).toBe(
      'Goal g-1 was not delivered whole: delivery stopped: the goal was paused during its delivery: PR #1 stays open; not opened: s2, integrator (policy auto-pr).',
    );
  });
});
