import { describe, expect, it } from 'vitest';
import { SAMPLE_ISSUES, type SampleIssue } from '../runtime/test-request-issues.js';
import { wordIssues } from './wording.js';

const UNITS = '(units: s, m, h, d; e.g. 90s, 8h, 7d, 1h30m)';

/** The messages the CLI printed before issues were data; tests under test/cli assert parts of them. */
const EXPECTED: Record<SampleIssue, string> = {
  policy: "--policy: 'yolo' is not one of local, draft-pr, auto-pr. Example: --policy draft-pr",
  mergePolicy:
    "--merge-policy: 'always' is not one of disabled, manual, gated. Example: --merge-policy gated",
  budgetTime: `--budget-time: '5x' is not a duration. Use a number with a unit: --budget-time 30m ${UNITS}.`,
  budgetTimeZero: `--budget-time: '0m' must be greater than zero. Example: --budget-time 30m ${UNITS}.`,
  budgetTokens:
    "--budget-tokens: 'lots' is not a token count. Use a positive whole number, optionally with k or M: --budget-tokens 200000 or --budget-tokens 200k.",
  budgetUsd:
    "--budget-usd: '-1' is not a positive amount of US dollars. Example: --budget-usd 25 or --budget-usd 7.50.",
  maxAgents: "--max-agents: '0' must be a whole number from 1 to 64. Example: --max-agents 4.",
  goalEmpty: 'The goal is empty. Example: omk goal run "fix the failing tests"',
  goalTooLong: 'The goal is 9000 characters; the limit is 8000.',
  summaryEmpty:
    '--summary is required and must not be empty. Example: omk goal accept --summary "fixed the parser, tests green"',
  budgetAddNone:
    'budget-add needs at least one of --time, --tokens, --usd. Example: omk goal budget-add --time 2h',
};

describe('CLI wording of request issues', () => {
  it.each(Object.keys(EXPECTED) as SampleIssue[])('words %s with flags and omk commands', (name) => {
    expect(wordIssues([SAMPLE_ISSUES[name]])).toBe(EXPECTED[name]);
  });

  it('puts each issue on its own line, in order', () => {
    expect(wordIssues([SAMPLE_ISSUES.policy, SAMPLE_ISSUES.maxAgents])).toBe(
      `${EXPECTED.policy}\n${EXPECTED.maxAgents}`,
    );
  });

  it("keeps zod's own message for a check that is not about a typed value", () => {
    expect(wordIssues([{ code: 'invalid', message: 'Too small' }])).toBe('Too small');
  });
});
