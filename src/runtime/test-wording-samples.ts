import type { NextStep } from './next-steps.js';
import type { RequestIssue } from './request-issues.js';

/**
 * One issue of each kind, as the request schemas report them, and one of each next step: the
 * wording tests of the three front doors word these same samples, each in its host's syntax.
 */
export const SAMPLE_ISSUES = {
  policy: {
    code: 'not_one_of',
    field: 'policy',
    value: 'yolo',
    allowed: ['local', 'draft-pr', 'auto-pr'],
    example: 'draft-pr',
  },
  mergePolicy: {
    code: 'not_one_of',
    field: 'mergePolicy',
    value: 'always',
    allowed: ['disabled', 'manual', 'gated'],
    example: 'gated',
  },
  budgetTime: {
    code: 'bad_duration',
    field: 'budgetTime',
    value: '5x',
    problem: 'format',
    max: '365d',
    example: '30m',
  },
  budgetTimeZero: {
    code: 'bad_duration',
    field: 'budgetTime',
    value: '0m',
    problem: 'not_positive',
    max: '365d',
    example: '30m',
  },
  budgetTokens: {
    code: 'bad_tokens',
    field: 'budgetTokens',
    value: 'lots',
    problem: 'format',
    examples: ['200000', '200k'],
  },
  budgetUsd: { code: 'bad_usd', field: 'budgetUsd', value: '-1', examples: ['25', '7.50'] },
  maxAgents: { code: 'bad_count', field: 'maxAgents', value: '0', min: 1, max: 64, example: '4' },
  goalEmpty: { code: 'empty', field: 'goal', example: 'fix the failing tests' },
  goalTooLong: { code: 'too_long', field: 'goal', length: 9000, max: 8000 },
  summaryEmpty: { code: 'empty', field: 'summary', example: 'fixed the parser, tests green' },
  budgetAddNone: { code: 'none_given', field: 'time', fields: ['time', 'tokens', 'usd'], example: '2h' },
} as const satisfies Record<string, RequestIssue>;

export type SampleIssue = keyof typeof SAMPLE_ISSUES;

export const SAMPLE_STEPS = {
  status: { step: 'status', goalId: 'g-1' },
  pause: { step: 'pause', goalId: 'g-1' },
  resume: { step: 'resume', goalId: 'g-1' },
  proof: { step: 'proof', goalId: 'g-1' },
  open_pr: { step: 'open_pr', goalId: 'g-1' },
  accept: { step: 'accept', goalId: 'g-1' },
  merge: { step: 'merge', goalId: 'g-1' },
  budget_add: { step: 'budget_add', goalId: 'g-1' },
  run: { step: 'run' },
  run_gate_edits: { step: 'run_gate_edits' },
  run_workflow_edits: { step: 'run_workflow_edits' },
  run_sandbox_off: { step: 'run_sandbox_off' },
  list: { step: 'list' },
  list_all: { step: 'list_all' },
  resume_orphans: { step: 'resume_orphans' },
} as const satisfies { [S in NextStep['step']]: NextStep & { step: S } };

export type SampleStep = keyof typeof SAMPLE_STEPS;
