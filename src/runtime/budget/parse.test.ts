import { describe, expect, it } from 'vitest';
import type { RequestIssue } from '../request-issues.js';
import { type Parsed, parseDuration, parsePositiveInt, parseTokens, parseUsd } from './parse.js';

function value<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.issue)}`);
  return parsed.value;
}

function issue(parsed: Parsed<unknown>): RequestIssue {
  if (parsed.ok) throw new Error(`accepted: ${JSON.stringify(parsed.value)}`);
  return parsed.issue;
}

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['8h', 28_800_000],
    ['7d', 604_800_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    [' 2H ', 7_200_000],
  ])('%s → %d ms', (raw, ms) => {
    expect(value(parseDuration(raw))).toBe(ms);
  });

  it.each([
    ['5x', 'format'],
    ['', 'format'],
    ['30', 'format'],
    ['m', 'format'],
    ['0m', 'not_positive'],
    ['-5m', 'format'],
    ['1.5h', 'format'],
    ['30m5h', 'format'],
    ['400d', 'too_long'],
    ['h30', 'format'],
  ])('refuses %j as data: the field, the value as typed, why, and an example', (raw, problem) => {
    expect(issue(parseDuration(raw, 'time'))).toEqual({
      code: 'bad_duration',
      field: 'time',
      value: raw,
      problem,
      max: '365d',
      example: '30m',
    });
  });
});

describe('parseTokens / parseUsd / parsePositiveInt', () => {
  it('reads token counts with suffixes', () => {
    expect(value(parseTokens('200000'))).toBe(200_000);
    expect(value(parseTokens('200k'))).toBe(200_000);
    expect(value(parseTokens('1.5M'))).toBe(1_500_000);
  });
  it.each([
    ['0', 'not_whole'],
    ['-1', 'format'],
    ['lots', 'format'],
    ['1.5', 'not_whole'],
    ['0k', 'not_whole'],
  ])('refuses tokens %j', (raw, problem) => {
    expect(issue(parseTokens(raw))).toMatchObject({ code: 'bad_tokens', field: 'budgetTokens', problem });
  });
  it('reads dollars', () => {
    expect(value(parseUsd('5'))).toBe(5);
    expect(value(parseUsd('$7.50'))).toBe(7.5);
  });
  it.each(['0', '-3', 'ten', '$', '1e3'])('refuses usd %j', (raw) => {
    expect(issue(parseUsd(raw, 'usd'))).toEqual({
      code: 'bad_usd',
      field: 'usd',
      value: raw,
      examples: ['25', '7.50'],
    });
  });
  it('bounds whole numbers', () => {
    expect(value(parsePositiveInt('4', 'maxAgents', '4'))).toBe(4);
    for (const raw of ['0', '65', '2.5']) {
      expect(issue(parsePositiveInt(raw, 'maxAgents', '4'))).toEqual({
        code: 'bad_count',
        field: 'maxAgents',
        value: raw,
        min: 1,
        max: 64,
        example: '4',
      });
    }
  });
});
