import { describe, expect, it } from 'vitest';
import { goalKeyProblem, type WorkflowInputs, workflowInputIssues } from './workflow-inputs.js';

const inputs = (over: Partial<WorkflowInputs>): WorkflowInputs => ({
  step: 'run',
  goal: true,
  goalId: undefined,
  goalKey: false,
  slice: false,
  baseBranch: undefined,
  stateBranch: 'omk/state',
  dryRun: false,
  summary: false,
  ...over,
});
const codes = (over: Partial<WorkflowInputs>) => workflowInputIssues(inputs(over)).map((issue) => issue.code);

describe('workflowInputIssues: which inputs go with which step', () => {
  it('passes a creating step with a goal, and a goal step with its goal id', () => {
    expect(codes({})).toEqual([]);
    expect(codes({ step: 'plan', goalKey: true })).toEqual([]);
    expect(codes({ step: 'execute', goal: false, goalId: 'g-123456', slice: true })).toEqual([]);
    expect(codes({ step: 'run', dryRun: true, baseBranch: 'main' })).toEqual([]);
  });

  it('asks a creating step for a goal and refuses it a goal id, naming that goal', () => {
    expect(workflowInputIssues(inputs({ step: 'plan', goal: false, goalId: 'g-123456' }))).toEqual([
      { code: 'goal_required', field: 'goal', step: 'plan' },
      { code: 'goal_id_on_creating', field: 'goalId', step: 'plan', goalId: 'g-123456' },
    ]);
  });

  it('asks every other step for a goal id, except fix, which reads it from the PR branch', () => {
    for (const step of ['execute', 'verify', 'review', 'integrate', 'open-pr', 'merge', 'status'] as const) {
      expect(codes({ step, goal: false })).toEqual(['goal_id_required']);
    }
    expect(codes({ step: 'fix', goal: false })).toEqual([]);
  });

  it('takes a goal key only where a goal is created, and names those steps', () => {
    expect(workflowInputIssues(inputs({ step: 'status', goalId: 'g-123456', goalKey: true }))).toEqual([
      { code: 'goal_key_not_creating', field: 'goalKey', step: 'status', creating: ['run', 'plan'] },
    ]);
  });

  it('takes a slice only where the step runs one, and names those steps', () => {
    expect(codes({ step: 'execute', goalId: 'g-123456', slice: true })).toEqual([]);
    expect(workflowInputIssues(inputs({ step: 'merge', goalId: 'g-123456', slice: true }))).toEqual([
      {
        code: 'slice_not_taken',
        field: 'slice',
        step: 'merge',
        slicing: ['execute', 'verify', 'review', 'integrate', 'status'],
      },
    ]);
    expect(codes({ slice: true })).toEqual(['slice_not_taken']);
  });

  it('asks accept for a summary and a goal id, gives it no dry run, and takes a summary nowhere else', () => {
    expect(codes({ step: 'accept', goal: false, goalId: 'g-123456', summary: true })).toEqual([]);
    expect(codes({ step: 'accept', goal: false, goalId: 'g-123456', dryRun: true })).toEqual([
      'no_dry_run',
      'summary_required',
    ]);
    expect(codes({ step: 'accept', goal: false })).toEqual(['goal_id_required', 'summary_required']);
    expect(
      workflowInputIssues(inputs({ step: 'merge', goal: false, goalId: 'g-123456', summary: true })),
    ).toEqual([{ code: 'summary_not_taken', field: 'summary', step: 'merge' }]);
  });

  it('keeps goal state off the base branch', () => {
    expect(workflowInputIssues(inputs({ baseBranch: 'omk/state' }))).toEqual([
      { code: 'state_is_base', field: 'stateBranch', base: 'omk/state' },
    ]);
    expect(codes({ baseBranch: 'omk/state-v2' })).toEqual([]);
  });

  it('refuses a dry run of merge only', () => {
    expect(codes({ step: 'merge', goalId: 'g-123456', dryRun: true })).toEqual(['no_dry_run']);
    expect(codes({ step: 'open-pr', goalId: 'g-123456', dryRun: true })).toEqual([]);
  });

  it('reports every broken rule together', () => {
    expect(codes({ step: 'merge', goal: false, goalKey: true, slice: true, dryRun: true })).toEqual([
      'goal_id_required',
      'goal_key_not_creating',
      'slice_not_taken',
      'no_dry_run',
    ]);
  });
});

describe('goalKeyProblem: a goal key is a short printable value', () => {
  it('takes a matrix value or index, up to 100 characters', () => {
    expect(goalKeyProblem('node 20 / ubuntü')).toBeNull();
    expect(goalKeyProblem('7')).toBeNull();
    expect(goalKeyProblem('ü'.repeat(100))).toBeNull();
  });

  it('refuses control, format and zero-width characters, and a longer value', () => {
    for (const key of ['a\nb', 'a\u200bb', 'a\u202eb']) {
      expect(goalKeyProblem(key)).toBe('it holds a control, format or zero-width character');
    }
    expect(goalKeyProblem('x'.repeat(101))).toBe('it is longer than 100 characters');
  });
});
