import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.js';

describe('formatDuration', () => {
  it('shows milliseconds under a second and seconds with one decimal under a minute', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(200)).toBe('200 ms');
    expect(formatDuration(1_000)).toBe('1.0 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(59_940)).toBe('59.9 s');
  });

  it('shows longer durations as a duration flag takes them', () => {
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(604_800_000)).toBe('7d');
  });
});
