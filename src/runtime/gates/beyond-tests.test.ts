import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beyondTests, judgeBeyondTests } from './beyond-tests.js';
import { coverageShortfall } from './coverage-shortfall.js';

/**
 * Real runs of one project (src/slug.js, a threshold of 80% on lines and functions it misses):
 * `base` fails a test, `head` fixes it, `worse` fixes it and adds an untested function. vitest
 * 3.2.7 with @vitest/coverage-v8 (run with --coverage.reportOnFailure, as omk asks) and jest 29.7.0.
 */
const captured = (name: string) =>
  readFileSync(join(import.meta.dirname, 'test-results', 'fixtures', `coverage-${name}.txt`), 'utf8');

describe('beyondTests', () => {
  it("quotes the lines that say what failed when every test passed: a threshold, npm's failing script", () => {
    const jest = [
      'Tests:       4 passed, 4 total',
      'Ran all test suites.',
      'Jest: "global" coverage threshold for lines (80%) not met: 41.17%',
    ].join('\n');
    expect(beyondTests(jest)).toBe('Jest: "global" coverage threshold for lines (80%) not met: 41.17%');
    const pytestCov = [
      'TOTAL                     17      10    41%',
      'FAIL Required test coverage of 90% not reached. Total coverage: 41.18%',
      '============================== 3 passed in 0.05s ===============================',
    ].join('\n');
    expect(beyondTests(pytestCov)).toBe(
      'FAIL Required test coverage of 90% not reached. Total coverage: 41.18%',
    );
    const posttest = [
      '> fixture@1.0.0 posttest',
      '> node scripts/check-exports.js',
      'src/index.js does not export parse',
      'npm error code 1',
      'npm error path /home/someone/fixture',
      'npm error command failed',
      'npm error command sh -c node scripts/check-exports.js',
    ].join('\n');
    expect(beyondTests(posttest)).toBe(
      'npm error command failed | npm error command sh -c node scripts/check-exports.js',
    );
    // Nothing that names a failure: the last lines as they are.
    expect(beyondTests('a\nb\n\nc\nd')).toBe('b | c | d');
  });
});

describe('coverageShortfall', () => {
  it("reads istanbul's and jest's threshold lines, by metric, scope and level", () => {
    expect(
      coverageShortfall('ERROR: Coverage for lines (35.29%) does not meet global threshold (80%)'),
    ).toEqual({
      key: 'lines below 80% (global)',
      figure: 35.29,
      uncoveredCount: false,
      line: 'ERROR: Coverage for lines (35.29%) does not meet global threshold (80%)',
    });
    expect(
      coverageShortfall(
        'ERROR: Coverage for statements (33.33%) does not meet threshold (85%) for src/math.ts',
      )?.key,
    ).toBe('statements below 85% (src/math.ts)');
    expect(
      coverageShortfall('ERROR: Coverage for branches (50%) does not meet "src/utils/**" threshold (90%)')
        ?.key,
    ).toBe('branches below 90% (src/utils/**)');
    expect(coverageShortfall('ERROR: Uncovered lines (12) exceed global threshold (10)')).toMatchObject({
      key: 'uncovered lines above 10 (global)',
      figure: 12,
      uncoveredCount: true,
    });
    expect(
      coverageShortfall('Jest: "global" coverage threshold for functions (80%) not met: 16.66%'),
    ).toMatchObject({
      key: 'functions below 80% (global)',
      figure: 16.66,
    });
    expect(
      coverageShortfall('Jest: Uncovered count for statements (3) exceeds global threshold (2)'),
    ).toMatchObject({
      key: 'uncovered statements above 2 (global)',
      figure: 3,
      uncoveredCount: true,
    });
    expect(coverageShortfall('ERROR: Something else')).toBeNull();
  });
});

describe('judgeBeyondTests', () => {
  for (const runner of ['vitest-3.2.7', 'jest-29.7.0']) {
    it(`calls thresholds the base misses by as much the base's debt (${runner})`, () => {
      const judged = judgeBeyondTests(captured(`${runner}-head`), captured(`${runner}-base`));
      expect(judged.debt).toBe(true);
      expect(judged.worse).toBe(false);
      expect(judged.coverage).toEqual(
        runner.startsWith('vitest')
          ? [
              'lines below 80% (global): 35.29% here, 35.29% on the base',
              'functions below 80% (global): 25% here, 25% on the base',
            ]
          : [
              'lines below 80% (global): 25% here, 25% on the base',
              'functions below 80% (global): 20% here, 20% on the base',
            ],
      );
    });

    it(`calls a coverage figure that got worse the change's (${runner})`, () => {
      const judged = judgeBeyondTests(captured(`${runner}-worse`), captured(`${runner}-base`));
      expect(judged.debt).toBe(false);
      expect(judged.worse).toBe(true);
      expect(judged.coverage[0]).toBe(
        runner.startsWith('vitest')
          ? 'lines below 80% (global): 35% here, 35.29% on the base'
          : 'lines below 80% (global): 22.22% here, 25% on the base',
      );
    });
  }

  it("calls a threshold the base's output does not show missed the change's", () => {
    // vitest without --coverage.reportOnFailure: the base's failing test hides its coverage.
    const hidden = captured('vitest-3.2.7-base').replace(/^ERROR: Coverage.*$/gm, '');
    const judged = judgeBeyondTests(captured('vitest-3.2.7-head'), hidden);
    expect(judged.debt).toBe(false);
    expect(judged.coverage[0]).toBe("lines below 80% (global): 35.29% here, not missed in the base's output");
  });

  it("calls a failure of another kind beside the debt the change's, unless the base printed it too", () => {
    const head = `${captured('jest-29.7.0-head')}\nError: posttest: dist/index.d.ts is missing`;
    expect(judgeBeyondTests(head, captured('jest-29.7.0-base'))).toMatchObject({ debt: false, worse: false });
    const base = `${captured('jest-29.7.0-base')}\nError: posttest: dist/index.d.ts is missing`;
    expect(judgeBeyondTests(head, base).debt).toBe(true);
  });

  it('is no debt when nothing beyond the tests is a coverage threshold', () => {
    expect(judgeBeyondTests('Tests  2 passed (2)\nnpm error code 1', 'Tests  1 failed (2)').debt).toBe(false);
  });
});
