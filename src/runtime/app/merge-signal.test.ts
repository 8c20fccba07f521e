import { describe, expect, it } from 'vitest';
import { chooseMergeMethod, integratorGoals } from './merge-signal.js';

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

describe('integratorGoals', () => {
  it('finds goals by their integration branch only, once each', () => {
    expect(
      integratorGoals([
        'omk/g-1/integration',
        'omk/g-1/integration',
        'omk/g-2/s1',
        null,
        'main',
        'omk/G/integration',
      ]),
    ).toEqual(['g-1']);
  });
});
