import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE_BRANCH,
  goalBranchPrefix,
  integrationBranchName,
  parseOmkBranch,
  RESERVED_SLICE_IDS,
  shownText,
  sliceBranchName,
} from './branches.js';

describe('omk branch names', () => {
  it('names slice, integration and state branches under omk/', () => {
    expect(sliceBranchName('fix-it-3fa9c1', 's1')).toBe('omk/fix-it-3fa9c1/s1');
    expect(integrationBranchName('fix-it-3fa9c1')).toBe('omk/fix-it-3fa9c1/integration');
    expect(goalBranchPrefix('fix-it-3fa9c1')).toBe('omk/fix-it-3fa9c1/');
    expect(DEFAULT_STATE_BRANCH).toBe('omk/state');
    expect(RESERVED_SLICE_IDS).toEqual(['base', 'integration']);
  });

  it('reads back what it names', () => {
    expect(parseOmkBranch(sliceBranchName('g-1', 's2'))).toEqual({ goalId: 'g-1', sliceId: 's2' });
    expect(parseOmkBranch(integrationBranchName('g-1'))).toEqual({ goalId: 'g-1', sliceId: 'integration' });
  });

  it.each([
    'main',
    'omk/state',
    'omk/g/s/t',
    'omk/G/s',
    'omk/g/-s',
    'omk//s',
    'refs/heads/omk/g/s',
    `omk/${'g'.repeat(81)}/s`,
    `omk/g/${'s'.repeat(64)}`,
  ])('refuses %s, which is not one of its slice branches', (branch) => {
    expect(parseOmkBranch(branch)).toBeNull();
  });
});

describe('shownText', () => {
  it('escapes controls, separators, bidi and zero-width characters, and nothing printable', () => {
    expect(shownText('main\n::add-mask::x')).toBe('main\\n::add-mask::x');
    expect(shownText('a\u202eb\u200bc\u2028d\u0007')).toBe('a\\u202eb\\u200bc\\u2028d\\u0007');
    expect(shownText('omk/state-é')).toBe('omk/state-é');
    expect(shownText('a\\u202e')).toBe('a\\\\u202e');
  });
});
