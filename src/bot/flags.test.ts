import { describe, expect, it } from 'vitest';
import { kebabName, type RequestField, startOptionsOf } from '../runtime/app/index.js';
import { FLAGS, flagsOf, givenOptions } from './flags.js';
import { SUBCOMMANDS, usageBlock } from './usage.js';
import { BOT_SPELLING } from './wording.js';

describe('the one flag table', () => {
  it('reads the options a comment gave by field, only those of its subcommand', () => {
    const given = new Map([
      ['merge-policy', 'gated'],
      ['budget-time', '2h'],
      ['no-llm-planner', 'true'],
      ['time', '1h'],
    ]);
    expect(givenOptions('run', given)).toEqual({
      mergePolicy: 'gated',
      budgetTime: '2h',
      llmPlanner: 'true',
    });
    expect(givenOptions('budget', given)).toEqual({ time: '1h' });
    expect(givenOptions('status', given)).toEqual({});
  });

  it('gives each subcommand exactly the options its usage line shows', () => {
    for (const sub of SUBCOMMANDS) {
      const shown = [...usageBlock(sub).matchAll(/\[?--([a-z-]+)/g)].map((match) => match[1]);
      expect(Object.keys(flagsOf(sub)).sort(), sub).toEqual([...new Set(shown)].sort());
    }
  });

  it('writes each usage line from the table: values as shown, required options unbracketed, wrapped', () => {
    const run = usageBlock('run');
    expect(run).toContain(
      '/omk goal run "<goal>" [--policy draft-pr|auto-pr] [--merge-policy disabled|manual|gated]',
    );
    expect(run).toContain('[--budget-time 2h]');
    expect(run).toContain('[--until-ready] [--no-llm-planner] [--planner-token-budget 8000]');
    expect(run.split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(run.split('\n').filter((line) => line.startsWith(`${' '.repeat(14)}[`))).toHaveLength(3);
    expect(usageBlock('accept')).toContain('/omk goal accept [GOAL_ID] --summary "…"\n');
    expect(usageBlock('reject')).toContain('/omk goal reject [GOAL_ID] --reason "…"\n');
    expect(usageBlock('cancel')).toContain('/omk goal cancel [GOAL_ID] [--reason "…"]\n');
    expect(usageBlock('budget')).toContain(
      '/omk goal budget [GOAL_ID] [--time 2h] [--tokens 100k] [--usd 10]\n',
    );
    expect(usageBlock('fix')).toContain('/omk goal fix "<what to change>"\n');
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

  it('spells an issue with the option the table names, on the subcommand that validates it', () => {
    expect(BOT_SPELLING.name('reason')).toBe('--reason');
    expect(BOT_SPELLING.command('reason')).toBe('reject');
    expect(BOT_SPELLING.name('budgetTokens')).toBe('--budget-tokens');
    expect(BOT_SPELLING.example('reason', 'why')).toBe('/omk goal reject --reason "why"');
    expect(BOT_SPELLING.example('usd', '10')).toBe('/omk goal budget --usd 10');
  });

  it('names every request field of the table by the option the table gives it', () => {
    const fields = Object.keys(FLAGS).filter((key) => key !== 'untilReady' && key !== 'llmPlanner');
    for (const field of fields as (keyof typeof FLAGS & RequestField)[]) {
      expect(BOT_SPELLING.name(field), field).toBe(`--${FLAGS[field].flag}`);
      expect(FLAGS[field].flag).toBe(kebabName(field));
      expect(FLAGS[field].commands[0], field).toBe(BOT_SPELLING.command(field));
    }
  });

  it('names each start option of run by the option the catalogue gives it, on run', () => {
    for (const { field, flag, kind } of startOptionsOf('bot')) {
      expect(flagsOf('run')[flag], field).toBe(kind === 'value' || kind === 'budget' ? 'value' : 'switch');
      if (kind === 'switch' || kind === 'off-switch') continue;
      expect(BOT_SPELLING.name(field as RequestField), field).toBe(`--${flag}`);
      expect(BOT_SPELLING.command(field as RequestField), field).toBe('run');
    }
  });

  it('spells a field the bot takes no option for without a flag of its own', () => {
    expect(Object.hasOwn(FLAGS, 'agent')).toBe(false);
    expect(BOT_SPELLING.name('agent')).toBe('OMK_BOT_AGENT');
    expect(BOT_SPELLING.given('agent', 'codex')).toBe("OMK_BOT_AGENT=codex in the app's environment");
    expect(BOT_SPELLING.name('goal')).toBe('"<goal>"');
    expect(BOT_SPELLING.name('mergeMethod')).toBe('--method');
  });
});
