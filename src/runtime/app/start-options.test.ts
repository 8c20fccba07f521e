import { describe, expect, it } from 'vitest';
import { createGoalRequestSchema, parseRequest } from '../requests.js';
import {
  flaggedStartInput,
  namedStartFields,
  pickStartOptions,
  START_OPTIONS,
  type StartOptionField,
  startOptionFlag,
  startOptionsOf,
  startRequestInput,
} from './start-options.js';

const BUDGET_PARTS = ['budgetTime', 'budgetTokens', 'budgetUsd'];

describe('the start options catalogue', () => {
  it('states every field of the start request a person gives, and no other', () => {
    const derived = ['goal', 'rawGoal', 'repo', 'idSuffix', 'budget'];
    const given = Object.keys(createGoalRequestSchema.shape).filter((field) => !derived.includes(field));
    expect(Object.keys(START_OPTIONS).sort()).toEqual([...given, ...BUDGET_PARTS].sort());
    const parts = Object.keys(START_OPTIONS).filter(
      (field) => START_OPTIONS[field as StartOptionField].kind === 'budget',
    );
    expect(parts).toEqual(BUDGET_PARTS);
  });

  it('gives every value a usage value and a CLI argument, a switch neither, and each option a meaning', () => {
    for (const option of startOptionsOf('cli')) {
      const takesValue = option.kind === 'value' || option.kind === 'budget';
      expect(option.arg !== undefined, option.field).toBe(takesValue);
      expect(option.shown !== undefined, option.field).toBe(takesValue);
      expect(option.meaning.length, option.field).toBeGreaterThan(10);
    }
  });

  it('spells each option as its field in kebab case, an off-switch with no- before it', () => {
    expect(startOptionFlag('mergePolicy')).toBe('merge-policy');
    expect(startOptionFlag('budgetTime')).toBe('budget-time');
    expect(startOptionFlag('untilReady')).toBe('until-ready');
    expect(startOptionFlag('llmPlanner')).toBe('no-llm-planner');
  });

  it('offers each door what it takes today: the bot no slice execution or agent, the Action no slice execution', () => {
    const fields = (door: 'cli' | 'bot' | 'action') => startOptionsOf(door).map((option) => option.field);
    expect(fields('cli')).toEqual(Object.keys(START_OPTIONS));
    expect(fields('bot')).not.toContain('sliceExecution');
    expect(fields('bot')).not.toContain('agent');
    expect(fields('bot')).toHaveLength(Object.keys(START_OPTIONS).length - 2);
    expect(fields('action')).toEqual(
      Object.keys(START_OPTIONS).filter((field) => field !== 'sliceExecution'),
    );
  });
});

describe('startRequestInput', () => {
  it("nests the budget's parts and gives a switch not given its field's default", () => {
    expect(startRequestInput({ maxAgents: '8', budgetTime: '2h', budgetUsd: '25' })).toEqual({
      maxAgents: '8',
      untilReady: false,
      allowGateEdits: false,
      allowWorkflowEdits: false,
      llmPlanner: true,
      budget: { time: '2h', tokens: undefined, usd: '25' },
    });
  });

  it("keeps a switch's boolean as the door read it (commander's --no-llm-planner, the Action's llm-planner: false)", () => {
    const input = startRequestInput({ untilReady: true, llmPlanner: false, policy: 'auto-pr' });
    expect(input).toMatchObject({ untilReady: true, llmPlanner: false, policy: 'auto-pr' });
    const request = parseRequest(createGoalRequestSchema, { ...input, goal: 'g', rawGoal: 'g', repo: '.' });
    expect(request).toMatchObject({ untilReady: true, llmPlanner: false, policy: 'auto-pr', budget: {} });
  });
});

describe("a flag door's options", () => {
  it('reads a switch given as on, an off-switch given as off, a value as its text', () => {
    const given = {
      untilReady: 'true',
      llmPlanner: 'true',
      allowWorkflowEdits: 'true',
      budgetTokens: '200k',
    };
    expect(flaggedStartInput(given)).toEqual({
      untilReady: true,
      allowGateEdits: false,
      allowWorkflowEdits: true,
      llmPlanner: false,
      budget: { time: undefined, tokens: '200k', usd: undefined },
    });
  });

  it("names the request fields given as values, not the switches a repository's settings never fill", () => {
    const given = { policy: 'auto-pr', untilReady: 'true', budgetTime: '2h', llmPlanner: 'true' };
    expect(namedStartFields(given)).toEqual(['policy', 'budgetTime']);
  });
});

describe('pickStartOptions', () => {
  it('picks the options a door offers from what it read, leaving out the rest and what is unset', () => {
    const read = {
      policy: 'local',
      sliceExecution: 'sparse',
      agent: undefined,
      format: 'json',
      untilReady: true,
    };
    expect(pickStartOptions(read, 'action')).toEqual({ policy: 'local', untilReady: true });
    expect(pickStartOptions(read, 'cli')).toEqual({
      policy: 'local',
      sliceExecution: 'sparse',
      untilReady: true,
    });
  });
});
