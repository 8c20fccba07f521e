import { describe, expect, it } from 'vitest';
import { FLAGS, flagFor, flagsOf, flagValues, isFlagged, runFields } from './flags.js';
import { SUBCOMMANDS, usageBlock } from './usage.js';
import { BOT_SPELLING } from './wording.js';

describe('the one flag table', () => {
  it('maps the options a run comment gave to request fields, ignoring the others', () => {
    expect(runFields(['merge-policy', 'budget-time', 'no-llm-planner', 'time', 'policy'])).toEqual([
      'policy',
      'mergePolicy',
      'budgetTime',
    ]);
  });

  it('gives each subcommand exactly the options its usage line shows', () => {
    for (const sub of SUBCOMMANDS) {
      const shown = [...usageBlock(sub).matchAll(/\[?--([a-z-]+)/g)].map((match) => match[1]);
      expect(Object.keys(flagsOf(sub)).sort(), sub).toEqual([...new Set(shown)].sort());
    }
  });

  it('takes values and switches as the parser reads them', () => {
    expect(flagsOf('run')).toMatchObject({
      policy: 'value',
      'until-ready': 'switch',
      'no-llm-planner': 'switch',
    });
    expect(flagsOf('cancel')).toEqual({ reason: 'value' });
    expect(flagsOf('reject')).toEqual({ reason: 'value' });
    expect(flagsOf('status')).toEqual({});
  });

  it('reads a value by its field and a switch by its presence', () => {
    const given = flagValues(
      new Map([
        ['merge-policy', 'gated'],
        ['no-llm-planner', 'true'],
      ]),
    );
    expect(given.value('mergePolicy')).toBe('gated');
    expect(given.value('policy')).toBeUndefined();
    expect(given.has('llmPlanner')).toBe(true);
    expect(given.has('untilReady')).toBe(false);
  });

  it('spells an issue with the option the table names, on the subcommand that validates it', () => {
    expect(flagFor('reason')).toEqual({ option: '--reason', command: 'reject' });
    expect(BOT_SPELLING.name('budgetTokens')).toBe('--budget-tokens');
    expect(BOT_SPELLING.example('reason', 'why')).toBe('/omk goal reject --reason "why"');
    expect(BOT_SPELLING.example('usd', '10')).toBe('/omk goal budget --usd 10');
  });

  it('spells a field the bot takes no option for without a flag of its own', () => {
    expect(isFlagged('agent')).toBe(false);
    expect(BOT_SPELLING.name('agent')).toBe('OMK_BOT_AGENT');
    expect(BOT_SPELLING.name('goal')).toBe('"<goal>"');
    for (const field of Object.keys(FLAGS)) expect(isFlagged(field as keyof typeof FLAGS)).toBe(true);
  });
});
