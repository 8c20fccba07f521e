import { describe, expect, it } from 'vitest';
import { chooseMergeMethod } from './merge-method.js';

describe('chooseMergeMethod', () => {
  it('prefers merge, then squash, then rebase among the allowed methods', () => {
    expect(chooseMergeMethod(['merge', 'squash', 'rebase']).method).toBe('merge');
    expect(chooseMergeMethod(['squash', 'rebase']).method).toBe('squash');
    expect(chooseMergeMethod(['rebase']).method).toBe('rebase');
  });

  it('takes the setting when the repository allows it, else says why not', () => {
    expect(chooseMergeMethod(['merge', 'squash'], 'squash')).toEqual({
      method: 'squash',
      why: 'the repository setting',
    });
    const refused = chooseMergeMethod(['merge'], 'rebase');
    expect(refused.method).toBe('merge');
    expect(refused.why).toContain('the setting rebase is not allowed there');
  });

  it('falls back to merge when GitHub reports no method', () => {
    expect(chooseMergeMethod([]).method).toBe('merge');
  });
});
