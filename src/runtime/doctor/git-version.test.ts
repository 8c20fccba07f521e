import { describe, expect, it } from 'vitest';
import { isAtLeast, MIN_GIT_VERSION, parseGitVersion } from './git-version.js';

describe('parseGitVersion', () => {
  it.each([
    ['git version 2.39.5\n', [2, 39, 5]],
    ['git version 2.45.1.windows.1', [2, 45, 1]],
    ['git version 2.39.3 (Apple Git-146)', [2, 39, 3]],
    ['git version 3.0', [3, 0, 0]],
  ])('%j → %j', (output, version) => {
    expect(parseGitVersion(output)).toEqual(version);
  });

  it('returns null for anything else', () => {
    expect(parseGitVersion('hub version 2.14.2')).toBeNull();
    expect(parseGitVersion('')).toBeNull();
  });
});

describe('isAtLeast', () => {
  it('compares component by component', () => {
    expect(isAtLeast([2, 25, 0], MIN_GIT_VERSION)).toBe(true);
    expect(isAtLeast([2, 24, 9], MIN_GIT_VERSION)).toBe(false);
    expect(isAtLeast([2, 100, 0], MIN_GIT_VERSION)).toBe(true);
    expect(isAtLeast([1, 99, 99], MIN_GIT_VERSION)).toBe(false);
    expect(isAtLeast([3, 0, 0], MIN_GIT_VERSION)).toBe(true);
  });
});
