import { describe, expect, it } from 'vitest';
import { controllerReview, LARGE_DIFF_FILES, LARGE_DIFF_LINES } from './controller.js';
import { isTestPath } from './files.js';
import { changed, gate, reviewInput } from './test-fixtures.js';

function messages(...args: Parameters<typeof reviewInput>): string[] {
  return controllerReview(reviewInput(...args)).map((entry) => `${entry.severity}: ${entry.message}`);
}

describe('controllerReview: size', () => {
  it('reports the size as info under the thresholds', () => {
    const files = [{ path: 'docs/a.md', additions: 600, deletions: 400 }];
    expect(messages({ changedFiles: files })).toContain(
      'info: Change size: 1 file changed, +600 −400 lines.',
    );
  });

  it(`warns over ${LARGE_DIFF_LINES} changed lines`, () => {
    const files = [{ path: 'docs/a.md', additions: 600, deletions: 401 }];
    expect(
      messages({ changedFiles: files }).filter((text) => text.startsWith('warning: Large change')),
    ).toHaveLength(1);
  });

  it(`warns over ${LARGE_DIFF_FILES} files`, () => {
    const files = Array.from({ length: LARGE_DIFF_FILES + 1 }, (_, i) => ({
      path: `docs/${i}.md`,
      additions: 1,
      deletions: 0,
    }));
    expect(
      messages({ changedFiles: files }).some((text) => text.startsWith('warning: Large change: 51 files')),
    ).toBe(true);
    expect(messages({ changedFiles: files.slice(1) }).some((text) => text.startsWith('warning'))).toBe(false);
  });

  it('says so when nothing changed', () => {
    expect(messages({})).toEqual(['info: No files changed.', 'info: No gate ran.']);
  });
});

describe('controllerReview: tests', () => {
  it('warns when source changed without a test change, listing the source files', () => {
    const findings = controllerReview(
      reviewInput({ changedFiles: changed('src/b.ts', 'src/a.py', 'README.md') }),
    );
    const warning = findings.find((entry) => entry.severity === 'warning');
    expect(warning?.message).toMatch(/^Source changed in 2 files but no test file changed/);
    expect(warning?.paths).toEqual(['src/a.py', 'src/b.ts']);
  });

  it('counts a Rust module whose inline #[cfg(test)] tests the change adds to as a test change', () => {
    const diff = [
      'diff --git a/src/lib.rs b/src/lib.rs',
      '--- a/src/lib.rs',
      '+++ b/src/lib.rs',
      '@@ -1,3 +1,3 @@',
      ' pub fn add(a: i32, b: i32) -> i32 {',
      '-    a - b',
      '+    a + b',
      ' }',
      '@@ -8,2 +8,7 @@ mod tests {',
      '     }',
      '+',
      '+    #[test]',
      '+    fn adds_negatives() {',
      '+        assert_eq!(add(-2, -3), -5);',
      '+    }',
      ' }',
      '',
    ].join('\n');
    const findings = controllerReview(reviewInput({ changedFiles: changed('src/lib.rs'), diff }));
    expect(findings.filter((entry) => entry.severity === 'warning')).toEqual([]);
    expect(findings).toContainEqual({
      review: 'controller',
      severity: 'info',
      message: 'Tests changed: 1 test file.',
      paths: ['src/lib.rs'],
    });
    // The fix alone, no test added, is still told to add one.
    const fixOnly = diff.split('\n@@ -8')[0] ?? '';
    const alone = controllerReview(reviewInput({ changedFiles: changed('src/lib.rs'), diff: fixOnly }));
    expect(alone.find((entry) => entry.severity === 'warning')?.message).toMatch(/no test file changed/);
  });

  it("counts a Rust change that edits its item's doc example (a doc test) as a test change, not its prose", () => {
    const lib = (body: string, example: string, prose = 'Adds two numbers.') =>
      [
        `/// ${prose}`,
        '///',
        '/// ```',
        '/// assert_eq!(calc::add(2, 3), 5);',
        ...example.split('\n').filter(Boolean),
        '/// ```',
        'pub fn add(a: i32, b: i32) -> i32 {',
        `    ${body}`,
        '}',
        '',
      ].join('\n');
    const diff = (hunk: readonly string[]) =>
      ['diff --git a/src/lib.rs b/src/lib.rs', '--- a/src/lib.rs', '+++ b/src/lib.rs', ...hunk, ''].join(
        '\n',
      );
    const review = (head: string, hunk: readonly string[], withHead = true) =>
      controllerReview(
        reviewInput({
          changedFiles: changed('src/lib.rs'),
          diff: diff(hunk),
          ...(withHead ? { headTexts: new Map([['src/lib.rs', head]]) } : {}),
        }),
      ).filter((entry) => entry.severity !== 'info' || entry.message.startsWith('Tests changed'));
    const example = '/// assert_eq!(calc::add(-2, -3), -5);';
    const fixed = lib('a + b', example);
    const withExample = [
      '@@ -1,8 +1,9 @@',
      ' /// Adds two numbers.',
      ' ///',
      ' /// ```',
      ' /// assert_eq!(calc::add(2, 3), 5);',
      `+${example}`,
      ' /// ```',
      ' pub fn add(a: i32, b: i32) -> i32 {',
      '-    a - b',
      '+    a + b',
      ' }',
    ];
    expect(review(fixed, withExample)).toEqual([
      {
        review: 'controller',
        severity: 'info',
        message: 'Tests changed: 1 test file.',
        paths: ['src/lib.rs'],
      },
    ]);
    // The doc comment's prose is no test; without the whole file, a doc line may be either.
    const prose = lib('a + b', '', 'Adds two numbers, wrapping on overflow.');
    const proseHunk = [
      '@@ -1,8 +1,8 @@',
      '-/// Adds two numbers.',
      '+/// Adds two numbers, wrapping on overflow.',
      ' ///',
      ' /// ```',
      ' /// assert_eq!(calc::add(2, 3), 5);',
      ' /// ```',
      ' pub fn add(a: i32, b: i32) -> i32 {',
      '-    a - b',
      '+    a + b',
      ' }',
    ];
    const warned = /^Source changed in 1 file but no test file changed/;
    expect(review(prose, proseHunk).map((entry) => entry.message)).toEqual([expect.stringMatching(warned)]);
    expect(review(fixed, withExample, false).map((entry) => entry.message)).toEqual([
      expect.stringMatching(warned),
    ]);
    // An example added to another item's doc comment shows nothing of the change to `add`.
    const other = `${lib('a + b', '')}\n/// \`\`\`\n/// assert_eq!(calc::sub(3, 2), 1);\n/// \`\`\`\npub fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n`;
    const otherHunks = [
      '@@ -6,3 +6,3 @@',
      ' pub fn add(a: i32, b: i32) -> i32 {',
      '-    a - b',
      '+    a + b',
      ' }',
      '@@ -9,3 +9,6 @@',
      ' ',
      '+/// ```',
      '+/// assert_eq!(calc::sub(3, 2), 1);',
      '+/// ```',
      ' pub fn sub(a: i32, b: i32) -> i32 {',
      '     a - b',
    ];
    expect(review(other, otherHunks).map((entry) => entry.message)).toEqual([expect.stringMatching(warned)]);
  });

  it('notes the test files when tests changed too', () => {
    const findings = controllerReview(reviewInput({ changedFiles: changed('src/a.go', 'src/a_test.go') }));
    expect(findings.filter((entry) => entry.severity === 'warning')).toEqual([]);
    expect(findings).toContainEqual({
      review: 'controller',
      severity: 'info',
      message: 'Tests changed: 1 test file.',
      paths: ['src/a_test.go'],
    });
  });

  it('asks for no test when only docs or config changed', () => {
    expect(messages({ changedFiles: changed('docs/a.md', 'package.json') }).join('\n')).not.toMatch(
      /[Tt]est/,
    );
  });

  it.each([
    ['test/x.ts', true],
    ['pkg/tests/helper.py', true],
    ['src/__tests__/a.js', true],
    ['spec/models/user_spec.rb', true],
    ['src/a.test.ts', true],
    ['src/a.spec.tsx', true],
    ['cmd/main_test.go', true],
    ['tests_util/test_api.py', true],
    ['test.js', true],
    ['source/test.mjs', true],
    ['index.test-d.ts', true],
    ['src/tester.js', false],
    ['src/latest.ts', false],
    ['src/contest/a.ts', false],
    ['src/attest.py', false],
  ])('isTestPath(%s) is %s', (path, expected) => {
    expect(isTestPath(path)).toBe(expected);
  });
});

describe('controllerReview: gates and scope', () => {
  it('warns once per failing optional gate and summarizes the rest as info', () => {
    const gates = [
      gate({ name: 'unit', outcome: 'passed' }),
      gate({ name: 'lint', kind: 'lint', required: false, outcome: 'failed', exitCode: 2 }),
      gate({ name: 'e2e', required: false, outcome: 'timeout', exitCode: null }),
      gate({ name: 'types', kind: 'typecheck', outcome: 'failed', exitCode: 1 }),
      gate({
        name: 'fmt',
        kind: 'format',
        required: false,
        outcome: 'pre_existing',
        diagnostics: { source: 'format-check', new: 0, fixed: 0, preExisting: 1, firstNew: [] },
      }),
      // Fails on the base too, but nothing in its output could be read: compared by exit code only.
      gate({ name: 'style', kind: 'lint', required: false, outcome: 'pre_existing', exitCode: 1 }),
    ];
    expect(messages({ gates })).toEqual([
      'warning: Optional gate e2e (test) timed out.',
      'warning: Optional gate lint (lint) failed (exit 2).',
      'info: Gates: 2 failed, 1 passed, 1 pre-existing, 1 timeout, 1 failing on base too, judged by exit code; required and not passing: types.',
      'info: No files changed.',
    ]);
  });

  it('includes the scope findings, blocking first, and never blocks on anything else', () => {
    const findings = controllerReview(
      reviewInput({
        writes: ['src'],
        changedFiles: [
          ...changed('src/a.ts', 'ops/run.sh'),
          { path: 'src/b.ts', additions: 5000, deletions: 0 },
        ],
        gates: [gate({ required: false, outcome: 'failed' })],
      }),
    );
    expect(findings[0]).toMatchObject({ severity: 'blocking', paths: ['ops/run.sh'] });
    expect(findings.filter((entry) => entry.severity === 'blocking')).toHaveLength(1);
  });
});
