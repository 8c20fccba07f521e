import { describe, expect, it } from 'vitest';
import { errorWords, RequestError, type RequestIssue } from '../runtime/app/index.js';
import { gapText } from '../runtime/app/render.js';
import { wordHint } from '../runtime/next-steps.js';
import { buildProof } from '../runtime/proof/build.js';
import { budgetSpentGap } from '../runtime/proof/gaps.js';
import { unconfinedEvidence } from '../runtime/proof/test-evidence.js';
import {
  SAMPLE_ISSUES,
  SAMPLE_STEPS,
  type SampleIssue,
  type SampleStep,
} from '../runtime/test-wording-samples.js';
import { CLI_STEPS, CLI_WORDS } from './wording.js';

/** Request issues as the CLI's error path prints them (`run.ts`: `errorWords`). */
const wordIssues = (issues: RequestIssue[]) => errorWords(new RequestError(issues), CLI_WORDS).message;

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

const STEPS: Record<SampleStep, string> = {
  status: "'omk goal status g-1'",
  pause: "'omk goal pause g-1'",
  resume: "'omk goal resume g-1'",
  proof: "'omk goal proof g-1'",
  open_pr: "'omk goal open-pr g-1'",
  accept: `'omk goal accept g-1 --summary "…"'`,
  merge: "'omk goal merge g-1'",
  budget_add: "'omk goal budget-add g-1 --time 1h'",
  run: `'omk goal run "<goal>"'`,
  run_gate_edits: `'omk goal run "<goal>" --allow-gate-edits'`,
  run_workflow_edits: `'omk goal run "<goal>" --allow-workflow-edits'`,
  run_sandbox_off: `set \`sandbox: off\` in .omk/config.yml, or for one run: 'omk goal run "<goal>" --sandbox off'`,
  list: "'omk goal list'",
  list_all: "'omk goal list --all'",
  resume_orphans: "'omk goal resume --auto'",
};

describe('CLI wording of next steps', () => {
  it.each(Object.keys(STEPS) as SampleStep[])('spells %s as an omk command', (name) => {
    expect(CLI_STEPS(SAMPLE_STEPS[name])).toBe(STEPS[name]);
  });

  it("words a gap's next steps as omk commands", () => {
    expect(gapText(budgetSpentGap('time', 'g-1'), CLI_STEPS)).toBe(
      "The time budget is spent; finished slices are kept. Extend it with 'omk goal budget-add g-1 --time 1h', then 'omk goal resume g-1'.",
    );
  });

  it('raises the limit that ran out: a token or dollar budget is not extended with time', () => {
    expect(gapText(budgetSpentGap('tokens', 'g-1'), CLI_STEPS)).toBe(
      "The tokens budget is spent; finished slices are kept. Extend it with 'omk goal budget-add g-1 --tokens 100k', then 'omk goal resume g-1'.",
    );
    expect(CLI_STEPS({ step: 'budget_add', goalId: 'g-1', limit: 'usd' })).toBe(
      "'omk goal budget-add g-1 --usd 10'",
    );
  });

  it('words the ways out of agents that ran unconfined: bubblewrap, accept and merge, or --sandbox off', () => {
    const [gap] = buildProof(unconfinedEvidence()).knownGaps;
    expect(gap?.code).toBe('agents_unconfined');
    expect(gap === undefined ? '' : gapText(gap, CLI_STEPS)).toBe(
      `The agent script:fix.sh ran unconfined: the sandbox is auto and this host could not confine agents, so nothing kept it from writing outside its worktree (a tool's cache, the user's files, the checkout) to make the change look verified, which omk cannot fully detect. Let omk confine the agents (on Linux, bubblewrap where it can create namespaces: the warning says what this host lacks) and run the goal again; or, once a person has read the change, they accept it with 'omk goal accept g-1 --summary "…"' and merge it with 'omk goal merge g-1'; or, to declare the agents trusted, turn the sandbox off: set \`sandbox: off\` in .omk/config.yml, or for one run: 'omk goal run "<goal>" --sandbox off'.`,
    );
  });

  it('puts the steps of a hint between its words', () => {
    const hint = ['Use ', SAMPLE_STEPS.status, ' to follow it, or ', SAMPLE_STEPS.pause, ' first.'];
    expect(wordHint(hint, CLI_STEPS)).toBe(
      "Use 'omk goal status g-1' to follow it, or 'omk goal pause g-1' first.",
    );
  });
});
