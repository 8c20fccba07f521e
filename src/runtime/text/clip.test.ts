import { describe, expect, it } from 'vitest';
import { clip } from './clip.js';

describe('clip', () => {
  it('keeps text that fits, and any text without a limit', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abc', null)).toBe('abc');
    expect(clip('', 0)).toBe('');
  });

  it('cuts at max code units and marks the cut with one ellipsis', () => {
    expect(clip('abcdef', 3)).toBe('abc…');
    expect(clip('ab…cdef', 3)).toBe('ab…');
    expect(clip('ab……cdef', 4)).toBe('ab…');
  });

  it('never splits a surrogate pair', () => {
    expect(clip('ab😀cd', 3)).toBe('ab…');
    expect(clip('ab😀cd', 4)).toBe('ab😀…');
  });

  it('never splits a grapheme cluster: combining marks, flags, joined emoji, skin tones', () => {
    // e + COMBINING ACUTE ACCENT: cutting between them would show a bare e.
    expect(clip('cafe\u0301 au lait', 4)).toBe('caf…');
    expect(clip('cafe\u0301 au lait', 5)).toBe('cafe\u0301…');
    // A flag is two regional indicators (4 code units).
    expect(clip('go 🇫🇷 team', 5)).toBe('go …');
    expect(clip('go 🇫🇷 team', 7)).toBe('go 🇫🇷…');
    // A family emoji joined by ZWJs (11 code units), and a thumb with a skin tone (4).
    const family = '👨\u200d👩\u200d👧\u200d👦';
    expect(clip(`${family}x`, family.length - 1)).toBe('…');
    expect(clip(`a👍🏽b`, 4)).toBe('a…');
    expect(clip(`a👍🏽b`, 5)).toBe('a👍🏽…');
  });

  it('keeps a line feed with its carriage return, and cuts far into non-ASCII text exactly', () => {
    expect(clip('ab\r\ncd', 3)).toBe('ab…');
    expect(clip('ab\r\ncd', 4)).toBe('ab\r\n…');
    // 200 accented letters (e + combining mark) without any ASCII near the cut.
    const accented = 'e\u0301'.repeat(200);
    expect(clip(accented, 301)).toBe(`${'e\u0301'.repeat(150)}…`);
    // A run of 100 regional indicators: pairs make flags, so the cut keeps whole pairs.
    const flags = `x${'🇫🇷'.repeat(100)}`;
    expect(clip(flags, 203)).toBe(`x${'🇫🇷'.repeat(50)}…`);
    expect(clip(flags, 39)).toBe(`x${'🇫🇷'.repeat(9)}…`);
  });

  it('stays fast on long texts cut many times, as a PR body folds them', () => {
    const ascii = 'f'.repeat(1_000_000);
    const accented = 'é'.repeat(2_000_000);
    const started = performance.now();
    for (let i = 0; i < 2000; i += 1) expect(clip(ascii, 500_000 + i)).toHaveLength(500_001 + i);
    expect(clip(accented, 10)).toBe(`${'é'.repeat(10)}…`);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
