import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beyondTests, judgeBeyondTests } from './beyond-tests.js';
import { coverageShortfall } from './coverage-shortfall.js';

/**
 * Real runs of one project (src/slug.js, a threshold of 80% on lines and functions it misses):
 * `base` fails a test, `head` fixes it, `worse` fixes it and adds an untested function. vitest
 * 3.2.7 with @vitest/coverage-v8 (run with --coverage.reportOnFailure, as omk asks) and jest 29.7.0.
 * Its python twin (src/slugkit/slug.py) under pytest 7.2.1 with pytest-cov 4.0.0 and coverage
 * 6.5.0, run as omk runs it (`python3 -m pytest -rA --junitxml=…`): `--cov-fail-under=80` in
 * pytest's addopts, or (`fail-under-*`) `fail_under = 80` in `[tool.coverage.report]`.
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
    expect(
      coverageShortfall('FAIL Required test coverage of 80% not reached. Total coverage: 43.48%'),
    ).toEqual({
      key: 'total below 80%',
      figure: 43.48,
      uncoveredCount: false,
      line: 'FAIL Required test coverage of 80% not reached. Total coverage: 43.48%',
    });
    // coverage's fail_under is a float: the same threshold as `--cov-fail-under=80`.
    expect(
      coverageShortfall('FAIL Required test coverage of 80.0% not reached. Total coverage: 34.48%')?.key,
    ).toBe('total below 80%');
    // coverage.py's `coverage report`; pytest-cov 5 and later print it too, after `ERROR: `.
    expect(coverageShortfall('Coverage failure: total of 34 is less than fail-under=80')).toMatchObject({
      key: 'total below 80%',
      figure: 34,
    });
    expect(
      coverageShortfall('ERROR: Coverage failure: total of 13.98 is less than fail-under=80.00')?.key,
    ).toBe('total below 80%');
    expect(coverageShortfall('Required test coverage of 80% reached. Total coverage: 91.30%')).toBeNull();
    expect(coverageShortfall('ERROR: Something else')).toBeNull();
  });
});

describe('judgeBeyondTests', () => {
  const debtFigures: Record<string, string[]> = {
    'vitest-3.2.7': [
      'lines below 80% (global): 35.29% here, 35.29% on the base',
      'functions below 80% (global): 25% here, 25% on the base',
    ],
    'jest-29.7.0': [
      'lines below 80% (global): 25% here, 25% on the base',
      'functions below 80% (global): 20% here, 20% on the base',
    ],
    'pytest-cov-4.0.0': ['total below 80%: 43.48% here, 43.48% on the base'],
    'pytest-cov-4.0.0-fail-under': ['total below 80%: 34.48% here, 34.48% on the base'],
  };
  for (const [runner, figures] of Object.entries(debtFigures)) {
    it(`calls thresholds the base misses by as much the base's debt (${runner})`, () => {
      const judged = judgeBeyondTests(captured(`${runner}-head`), captured(`${runner}-base`));
      expect(judged).toMatchObject({ debt: true, worse: false, coverage: figures });
    });
  }

  const worseFigures: Record<string, string> = {
    'vitest-3.2.7': 'lines below 80% (global): 35% here, 35.29% on the base',
    'jest-29.7.0': 'lines below 80% (global): 22.22% here, 25% on the base',
    'pytest-cov-4.0.0': 'total below 80%: 37.93% here, 43.48% on the base',
  };
  for (const [runner, figure] of Object.entries(worseFigures)) {
    it(`calls a coverage figure that got worse the change's (${runner})`, () => {
      const judged = judgeBeyondTests(captured(`${runner}-worse`), captured(`${runner}-base`));
      expect(judged).toMatchObject({ debt: false, worse: true });
      expect(judged.coverage[0]).toBe(figure);
    });
  }

  it("reads coverage.py's own report, and one threshold printed twice (pytest-cov 5 and later) once", () => {
    const report = captured('coverage-6.5.0-report-head');
    expect(judgeBeyondTests(report, report)).toMatchObject({
      debt: true,
      coverage: ['total below 80%: 34% here, 34% on the base'],
    });
    // pytest-cov 5+ prints coverage's rounded line during the run and its own at the end.
    const twice = (figure: string) =>
      `ERROR: Coverage failure: total of 43 is less than fail-under=80\n${captured('pytest-cov-4.0.0-head').replace('43.48%', figure)}`;
    expect(judgeBeyondTests(twice('43.48%'), twice('43.48%')).debt).toBe(true);
    expect(judgeBeyondTests(twice('43.10%'), twice('43.48%'))).toMatchObject({
      debt: false,
      coverage: ['total below 80%: 43.1% here, 43.48% on the base'],
    });
  });

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
