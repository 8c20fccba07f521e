import { describe, expect, it } from 'vitest';
import type { TestResults } from './test-results/types.js';
import { comparable, gateTests, judgeFailureOnBoth } from './test-verdict.js';

const pytest = (passed: string[], failed: string[]): TestResults => ({
  source: 'pytest',
  passed,
  failed,
  skipped: 0,
});

describe('judgeFailureOnBoth', () => {
  it('keeps the exit-code rule when the two sides were read by different parsers', () => {
    const head = pytest([], ['t::a']);
    const base: TestResults = { ...head, source: 'junit-xml' };
    expect(comparable(head, base)).toBe(
      "the head's results (pytest) and the base's (junit-xml) are in different formats",
    );
    expect(judgeFailureOnBoth(head, base, 'bbbbbbbbbbbb')).toEqual({
      outcome: 'pre_existing',
      note: "fails on base bbbbbbbbbbbb too (judged by exit codes: the head's results (pytest) and the base's (junit-xml) are in different formats)",
    });
  });

  it('counts a new failing test as a regression, and names at most five', () => {
    const failing = ['t::1', 't::2', 't::3', 't::4', 't::5', 't::6', 't::7'];
    expect(judgeFailureOnBoth(pytest([], ['t::old', ...failing]), pytest([], ['t::old']), 'b12')).toEqual({
      outcome: 'failed',
      note: '7 test(s) fail here that did not fail on base b12: t::1, t::2, t::3, t::4, t::5 and 2 more',
    });
  });
});

describe('gateTests', () => {
  it('bounds every list to 50 names and long names to 300 characters, with exact counts', () => {
    const many = Array.from({ length: 70 }, (_, i) => `t::test_${String(i).padStart(2, '0')}`);
    const long = `t::${'x'.repeat(400)}`;
    const tests = gateTests(pytest([], [...many, long]), pytest([], []), 'b'.repeat(40));
    expect(tests.counts.regressions).toBe(71);
    expect(tests.regressions).toHaveLength(50);
    expect(tests.failing).toHaveLength(50);
    const cut = gateTests(pytest([], [long]), null, null).failing[0] ?? '';
    expect(cut).toHaveLength(300);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('compares nothing without a base sha or base results', () => {
    const tests = gateTests(pytest(['t::a'], []), pytest([], ['t::a']), null);
    expect(tests).toMatchObject({ baseSha: null, failToPass: [], counts: { failToPass: 0, passed: 1 } });
  });
});
