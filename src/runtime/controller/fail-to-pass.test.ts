import { describe, expect, it } from 'vitest';
import { gate, testResults } from '../proof/test-evidence.js';
import { notSeenPassing } from './fail-to-pass.js';

describe('notSeenPassing', () => {
  const add = 'example.com/calc::TestAdd';
  const sub = 'example.com/calc::TestSub';
  const base = (failed: string[]) => ({ source: 'go-test-json' as const, passed: [], failed, skipped: 0 });
  const head = (tests: Parameters<typeof testResults>[0]) => [
    gate({
      name: 'test',
      outcome: 'pre_existing',
      exitCode: 1,
      tests: testResults({ source: 'go-test-json', ...tests }),
    }),
  ];

  it('speaks of one test still failing as one', () => {
    const still = head({ failing: [add], stillFailing: [add] });
    expect(notSeenPassing('test', base([add]), still)).toBe(
      `no test that failed on the base passes on the head in gate test: ${add} failed there, and it still fails on the head`,
    );
    const unseen = head({ failing: [], stillFailing: [] });
    expect(notSeenPassing('test', base([add]), unseen)).toContain(
      `${add} failed there, and on the head it did not run, was skipped or still fails`,
    );
  });

  it('speaks of several as several', () => {
    const still = head({ failing: [add, sub], stillFailing: [add, sub] });
    expect(notSeenPassing('test', base([add, sub]), still)).toContain(
      `${add}, ${sub} failed there, and they still fail on the head`,
    );
    expect(notSeenPassing('test', base([add, sub]), head({}))).toContain(
      'on the head they did not run, were skipped or still fail',
    );
  });
});
