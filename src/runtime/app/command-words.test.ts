import { describe, expect, it } from 'vitest';
import { REQUEST_FIELDS } from '../request-issues.js';
import { SAMPLE_STEPS } from '../test-wording-samples.js';
import { type CommandWords, commandVocabulary, fieldUseCase, kebabName } from './command-words.js';

/** A host whose users type `ship goal <command>` with `+field` options. */
const WORDS: CommandWords = {
  prefix: 'ship goal',
  commands: {
    create: 'start',
    budget_add: 'more',
    accept: 'yes',
    reject: 'no',
    open_pr: 'pr',
    merge: 'land',
  },
  option: (field) => (field === 'goal' ? '<goal>' : `+${kebabName(field)}`),
  given: { agent: (value) => `AGENT=${value}` },
  steps: { list: 'the board', list_all: 'every board', resume_orphans: 'ask the operator' },
};
const { fields, steps } = commandVocabulary(WORDS);

describe('a command host vocabulary from its words', () => {
  it('names each field in kebab case', () => {
    expect(kebabName('mergePolicy')).toBe('merge-policy');
    expect(kebabName('plannerTokenBudget')).toBe('planner-token-budget');
    expect(kebabName('policy')).toBe('policy');
  });

  it('takes every request field on the use case that validates it', () => {
    const taken = Object.fromEntries(REQUEST_FIELDS.map((field) => [field, fieldUseCase(field)]));
    expect(taken).toMatchObject({
      goal: 'create',
      mergePolicy: 'create',
      agent: 'create',
      sandbox: 'create',
      time: 'budget_add',
      usd: 'budget_add',
      summary: 'accept',
      reason: 'reject',
      baseBranch: 'open_pr',
      mergeMethod: 'merge',
    });
  });

  it('gives a field as its option and value, free text quoted, the goal as the argument', () => {
    expect(fields.name('maxAgents')).toBe('+max-agents');
    expect(fields.given('maxAgents', '4')).toBe('+max-agents 4');
    expect(fields.given('summary', 'tests green')).toBe('+summary "tests green"');
    expect(fields.given('goal', 'fix it')).toBe('"fix it"');
    expect(fields.given('agent', 'codex')).toBe('AGENT=codex');
  });

  it("makes an example a whole command line of the field's use case, in the host's command", () => {
    expect(fields.example('usd', '10')).toBe('ship goal more +usd 10');
    expect(fields.example('reason', 'why')).toBe('ship goal no +reason "why"');
    expect(fields.example('goal', 'fix it')).toBe('ship goal start "fix it"');
    expect(fields.command('time')).toBe('more');
    expect(fields.command('mergeMethod')).toBe('land');
  });

  it('spells a next step as the quoted command line that takes it, or in the host own words', () => {
    expect(steps(SAMPLE_STEPS.resume)).toBe("'ship goal resume g-1'");
    expect(steps(SAMPLE_STEPS.open_pr)).toBe("'ship goal pr g-1'");
    expect(steps(SAMPLE_STEPS.merge)).toBe("'ship goal land g-1'");
    expect(steps(SAMPLE_STEPS.budget_add)).toBe("'ship goal more g-1 +time 1h'");
    expect(steps(SAMPLE_STEPS.run)).toBe(`'ship goal start "<goal>"'`);
    expect(steps(SAMPLE_STEPS.list)).toBe('the board');
    expect(steps(SAMPLE_STEPS.resume_orphans)).toBe('ask the operator');
  });
});
