import { describe, expect, it } from 'vitest';
import { RequestError } from './errors.js';
import type { RequestIssue } from './request-issues.js';
import {
  budgetAddRequestSchema,
  createGoalRequestSchema,
  mergeMethodSchema,
  parseRequest,
  sandboxModeSchema,
  summaryTextSchema,
} from './requests.js';

function issuesOf(run: () => unknown): { issues: readonly RequestIssue[]; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    const { issues, message } = error as RequestError;
    return { issues, message };
  }
  throw new Error('expected the request to be refused');
}

describe('parseRequest', () => {
  it('reports every refused field as data, under the request property it is about', () => {
    const { issues, message } = issuesOf(() =>
      parseRequest(createGoalRequestSchema, {
        goal: 'fix it',
        rawGoal: 'fix it',
        repo: '.',
        policy: 'yolo',
        maxAgents: '0',
        budget: { time: '5x' },
      }),
    );
    expect(issues).toEqual([
      {
        code: 'not_one_of',
        field: 'policy',
        value: 'yolo',
        allowed: ['local', 'draft-pr', 'auto-pr'],
        example: 'draft-pr',
      },
      { code: 'bad_count', field: 'maxAgents', value: '0', min: 1, max: 64, example: '4' },
      {
        code: 'bad_duration',
        field: 'budgetTime',
        value: '5x',
        problem: 'format',
        max: '365d',
        example: '30m',
      },
    ]);
    // Nobody worded it: the request's own words, no front door's syntax.
    expect(message).toContain(
      "policy: 'yolo' is not one of local, draft-pr, auto-pr. Example: policy: draft-pr",
    );
    expect(message).not.toMatch(/--|omk goal/);
  });

  it('names the budget-add fields by their own names, and asks for one of them', () => {
    expect(issuesOf(() => parseRequest(budgetAddRequestSchema, { time: '0m' })).issues).toMatchObject([
      { code: 'bad_duration', field: 'time', problem: 'not_positive' },
    ]);
    expect(issuesOf(() => parseRequest(budgetAddRequestSchema, {})).issues).toEqual([
      { code: 'none_given', field: 'time', fields: ['time', 'tokens', 'usd'], example: '2h' },
    ]);
  });

  it('refuses empty or overlong text with the field it is about', () => {
    expect(issuesOf(() => parseRequest(summaryTextSchema('reason'), ' \u200b ')).issues).toEqual([
      { code: 'empty', field: 'reason', example: 'wrong approach: keep the old API' },
    ]);
    expect(issuesOf(() => parseRequest(summaryTextSchema('summary'), 'x'.repeat(8_001))).issues).toEqual([
      { code: 'too_long', field: 'summary', length: 8_001, max: 8_000 },
    ]);
  });

  it("keeps zod's own checks as invalid issues with their message", () => {
    const { issues } = issuesOf(() =>
      parseRequest(createGoalRequestSchema, { goal: 'fix it', rawGoal: 'fix it', repo: '' }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'invalid' });
  });

  it('takes a merge method and a sandbox mode by name, trimmed, and refuses any other with the choices', () => {
    expect(parseRequest(mergeMethodSchema, ' rebase ')).toBe('rebase');
    expect(parseRequest(sandboxModeSchema, 'off')).toBe('off');
    expect(issuesOf(() => parseRequest(mergeMethodSchema, 'ff')).issues).toEqual([
      {
        code: 'not_one_of',
        field: 'mergeMethod',
        value: 'ff',
        allowed: ['merge', 'squash', 'rebase'],
        example: 'squash',
      },
    ]);
    expect(issuesOf(() => parseRequest(sandboxModeSchema, 'on')).issues).toEqual([
      {
        code: 'not_one_of',
        field: 'sandbox',
        value: 'on',
        allowed: ['auto', 'required', 'off'],
        example: 'required',
      },
    ]);
  });
});
