import { describe, expect, it } from 'vitest';
import { GitError } from '../../runtime/errors.js';
import { parseNumstat, truncateDiff } from './capture.js';
import { assertOmkBranch, normalizeSparsePaths, sliceBranch } from './refs.js';

describe('refs', () => {
  it('builds branches only from safe ids', () => {
    expect(sliceBranch('goal-1', 's2')).toBe('omk/goal-1/s2');
    expect(() => sliceBranch('goal-1', 'S2')).toThrow(GitError);
    expect(() => sliceBranch('../x', 's')).toThrow(GitError);
    expect(() => sliceBranch('g', `s${'x'.repeat(80)}`)).toThrow(GitError);
  });

  it('accepts only omk branches, optionally of one goal', () => {
    expect(() => assertOmkBranch('omk/g/s')).not.toThrow();
    expect(() => assertOmkBranch('omk/g/s', 'h')).toThrow(GitError);
    expect(() => assertOmkBranch('main')).toThrow(GitError);
    expect(() => assertOmkBranch('omk/g/s/t')).toThrow(GitError);
  });

  it('normalizes sparse paths and treats the root as a full checkout', () => {
    expect(normalizeSparsePaths(['src/app/', './docs', 'src/app'])).toEqual(['docs', 'src/app']);
    expect(normalizeSparsePaths(['src', '.'])).toBeNull();
    expect(normalizeSparsePaths(['./'])).toBeNull();
    expect(normalizeSparsePaths([])).toBeNull();
    expect(normalizeSparsePaths(null)).toBeNull();
    expect(() => normalizeSparsePaths(['/etc'])).toThrow(GitError);
    expect(() => normalizeSparsePaths(['src/../../x'])).toThrow(GitError);
    expect(() => normalizeSparsePaths(['.git/hooks'])).toThrow(GitError);
  });
});

describe('capture parsing', () => {
  it('parses numstat records, binaries as zero, paths with tabs and spaces', () => {
    expect(parseNumstat('3\t1\tsrc/a.ts\0-\t-\timg.png\x002\t0\tname with\ttab\0')).toEqual([
      { path: 'src/a.ts', additions: 3, deletions: 1 },
      { path: 'img.png', additions: 0, deletions: 0 },
      { path: 'name with\ttab', additions: 2, deletions: 0 },
    ]);
    expect(parseNumstat('')).toEqual([]);
  });

  it('truncates at a line boundary with a marker and leaves short diffs alone', () => {
    expect(truncateDiff('short\n', 100, 'git diff a b')).toBe('short\n');
    const out = truncateDiff('aaaa\nbbbb\ncccc\n', 12, 'git diff a b');
    expect(out).toBe('aaaa\nbbbb\n[omk: diff truncated: 10 of 15 bytes shown; full diff: git diff a b]\n');
  });
});
