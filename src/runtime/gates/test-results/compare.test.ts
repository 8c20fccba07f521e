import { describe, expect, it } from 'vitest';
import { compareTests } from './compare.js';
import type { TestResults } from './types.js';

const results = (passed: string[], failed: string[]): TestResults => ({
  source: 'pytest',
  passed,
  failed,
  skipped: 0,
});

describe('compareTests', () => {
  it('names fail→pass, regressions, still failing, added and removed tests', () => {
    const base = results(['t::kept', 't::breaks', 't::gone'], ['t::target', 't::old_debt']);
    const head = results(['t::kept', 't::target', 't::new_ok'], ['t::breaks', 't::old_debt', 't::new_bad']);
    expect(compareTests(base, head)).toEqual({
      failToPass: ['t::target'],
      regressions: ['t::breaks', 't::new_bad'],
      stillFailing: ['t::old_debt'],
      added: ['t::new_bad', 't::new_ok'],
      removed: ['t::gone'],
      notRunOnBase: [],
    });
  });

  it('never counts a failing test that vanished as fixed', () => {
    const comparison = compareTests(results(['t::a'], ['t::target']), results(['t::a'], []));
    expect(comparison.failToPass).toEqual([]);
    expect(comparison.removed).toEqual(['t::target']);
  });
});
