import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { formatDuration, parseDuration, parsePositiveInt, parseTokens, parseUsd } from './parse.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['8h', 28_800_000],
    ['7d', 604_800_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    [' 2H ', 7_200_000],
  ])('%s → %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['5x', '', '30', 'm', '0m', '-5m', '1.5h', '30m5h', '400d', 'h30'])(
    'refuses %j with an example',
    (raw) => {
      let caught: unknown;
      try {
        parseDuration(raw);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect(String((caught as UsageError).message)).toContain('--budget-time');
      expect((caught as UsageError).hint).toMatch(/30m/);
    },
  );
});

describe('parseTokens / parseUsd / parsePositiveInt', () => {
  it('reads token counts with suffixes', () => {
    expect(parseTokens('200000')).toBe(200_000);
    expect(parseTokens('200k')).toBe(200_000);
    expect(parseTokens('1.5M')).toBe(1_500_000);
  });
  it.each(['0', '-1', 'lots', '1.5', '0k'])('refuses tokens %j', (raw) => {
    expect(() => parseTokens(raw)).toThrow(UsageError);
  });
  it('reads dollars', () => {
    expect(parseUsd('5')).toBe(5);
    expect(parseUsd('$7.50')).toBe(7.5);
  });
  it.each(['0', '-3', 'ten', '$', '1e3'])('refuses usd %j', (raw) => {
    expect(() => parseUsd(raw)).toThrow(UsageError);
  });
  it('bounds whole numbers', () => {
    expect(parsePositiveInt('4', '--max-agents', '--max-agents 4')).toBe(4);
    expect(() => parsePositiveInt('0', '--max-agents', '--max-agents 4')).toThrow(/from 1 to 64/);
    expect(() => parsePositiveInt('2.5', '--max-agents', '--max-agents 4')).toThrow(UsageError);
  });
});

describe('formatDuration', () => {
  it('renders compact units', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(604_800_000)).toBe('7d');
    expect(formatDuration(0)).toBe('0s');
  });
});
