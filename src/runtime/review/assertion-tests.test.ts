// Which test a removed assertion was in, named when the test's declaration is far above the hunk:
// a long test body shows only the assert line, and git's `@@` heading names the describe, the class
// or the module around it. Read from the whole file, as the slice's review has it (headTexts).

import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import type { ReviewInput } from './input.js';
import { reviewInput } from './test-fixtures.js';
import { testsWeakenedReview } from './tests-weakened.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

/** A real commit's review input, with the head's committed text of its changed files. */
async function change(path: string, before: string, after: string): Promise<ReviewInput> {
  const repo = await createTempRepo({ [path]: before });
  repos.push(repo);
  const base = git(repo.root, 'rev-parse', 'HEAD');
  await repo.commit({ [path]: after }, 'agent change');
  const diff = git(repo.root, 'diff', '--no-renames', '--no-color', base, 'HEAD', '--');
  const [additions, deletions] = git(repo.root, 'diff', '--numstat', base, 'HEAD', '--').split('\t');
  return reviewInput({
    changedFiles: [{ path, additions: Number(additions), deletions: Number(deletions) }],
    diff: `${diff}\n`,
    headTexts: new Map([[path, git(repo.root, 'show', `HEAD:${path}`)]]),
  });
}

/** The review's messages, with and without the whole file. */
async function messages(path: string, before: string, after: string) {
  const input = await change(path, before, after);
  const { headTexts: _, ...hunksOnly } = input;
  const read = (i: ReviewInput) => testsWeakenedReview(i, 'fix the parser').map((f) => f.message);
  return { whole: read(input), hunksOnly: read(hunksOnly) };
}

/** Sixty lines of a test's set-up, indented as its body is. */
const body = (indent: string, line: (i: number) => string) =>
  Array.from({ length: 60 }, (_, i) => `${indent}${line(i)}`).join('\n');

const REMEDY = 'restore it, or strengthen the test instead: a weakened test proves nothing.';

describe('testsWeakenedReview names the test of an assertion far below its declaration', () => {
  /** `hunk`: the test the hunk alone names (its heading), null when it shows no test at all. */
  const cases: {
    runner: string;
    path: string;
    file: string;
    assert: string;
    test: string;
    hunk?: string | null;
  }[] = [
    {
      runner: 'vitest (in a describe)',
      path: 'test/parse.test.ts',
      file: [
        "import { describe, expect, it } from 'vitest';",
        "import { parse } from '../src/parse.js';",
        '',
        "describe('parse', () => {",
        "  it('reads a long document', () => {",
        body('    ', (i) => `const part${i} = parse('${i}');`),
        '    expect(part0).toEqual({ value: 0 });',
        '    expect(part59).toEqual({ value: 59 });',
        '  });',
        '});',
        '',
      ].join('\n'),
      assert: '    expect(part59).toEqual({ value: 59 });\n',
      test: 'reads a long document',
    },
    {
      runner: 'mocha (describe at column 0, test indented)',
      path: 'test/parse.spec.js',
      file: [
        "const assert = require('node:assert');",
        '',
        "describe('parse', function () {",
        "  it('reads a long document', function () {",
        body('    ', (i) => `const part${i} = parse('${i}');`),
        '    assert.strictEqual(part0.value, 0);',
        '    assert.strictEqual(part59.value, 59);',
        '  });',
        '});',
        '',
      ].join('\n'),
      assert: '    assert.strictEqual(part59.value, 59);\n',
      test: 'reads a long document',
    },
    {
      runner: 'node:test (a subtest)',
      path: 'test/parse.test.mjs',
      file: [
        "import test from 'node:test';",
        "import assert from 'node:assert/strict';",
        '',
        "test('parse', async (t) => {",
        "  await t.test('reads a long document', () => {",
        body('    ', (i) => `const part${i} = parse('${i}');`),
        '    assert.equal(part0.value, 0);',
        '    assert.equal(part59.value, 59);',
        '  });',
        '});',
        '',
      ].join('\n'),
      assert: '    assert.equal(part59.value, 59);\n',
      test: 'reads a long document',
      hunk: 'parse',
    },
    {
      runner: 'tape',
      path: 'test/parse.test.js',
      file: [
        "const test = require('tape');",
        '',
        "test('reads a long document', (t) => {",
        body('  ', (i) => `const part${i} = parse('${i}');`),
        '  t.equal(part0.value, 0);',
        '  t.equal(part59.value, 59);',
        '  t.end();',
        '});',
        '',
      ].join('\n'),
      assert: '  t.equal(part59.value, 59);\n',
      test: 'reads a long document',
      hunk: 'reads a long document',
    },
    {
      runner: 'pytest (a method of a test class)',
      path: 'tests/test_parse.py',
      file: [
        'from parse import parse',
        '',
        '',
        'class TestParse:',
        '    def test_long_document(self):',
        body('        ', (i) => `part${i} = parse("${i}")`),
        '        assert part0.value == 0',
        '        assert part59.value == 59',
        '',
      ].join('\n'),
      assert: '        assert part59.value == 59\n',
      test: 'test_long_document',
    },
    {
      runner: 'go test (in a t.Run closure)',
      path: 'parse/parse_test.go',
      file: [
        'package parse',
        '',
        'import "testing"',
        '',
        'func TestLongDocument(t *testing.T) {',
        body('\t', (i) => `part${i} := Parse("${i}")`),
        '\tt.Run("last", func(t *testing.T) {',
        '\t\tif part59.Value != 59 {',
        '\t\t\tt.Errorf("got %d", part59.Value)',
        '\t\t}',
        '\t})',
        '\tif part0.Value != 0 {',
        '\t\tt.Fatal("first")',
        '\t}',
        '}',
        '',
      ].join('\n'),
      assert: '\t\t\tt.Errorf("got %d", part59.Value)\n',
      test: 'TestLongDocument',
      hunk: 'TestLongDocument',
    },
    {
      runner: 'cargo test (a unit test in mod tests of src/)',
      path: 'src/parse.rs',
      file: [
        'pub fn parse(text: &str) -> u32 {',
        '    text.parse().unwrap()',
        '}',
        '',
        '#[cfg(test)]',
        'mod tests {',
        '    use super::*;',
        '',
        '    #[test]',
        '    fn long_document() {',
        body('        ', (i) => `let part${i} = parse("${i}");`),
        '        assert_eq!(part0, 0);',
        '        assert_eq!(part59, 59);',
        '    }',
        '}',
        '',
      ].join('\n'),
      assert: '        assert_eq!(part59, 59);\n',
      test: 'long_document',
      hunk: null,
    },
    {
      runner: 'cargo test (an integration test in tests/)',
      path: 'tests/parse.rs',
      file: [
        'use parse::parse;',
        '',
        '#[test]',
        'fn long_document() {',
        body('    ', (i) => `let part${i} = parse("${i}");`),
        '    assert_eq!(part0, 0);',
        '    assert_eq!(part59, 59);',
        '}',
        '',
      ].join('\n'),
      assert: '    assert_eq!(part59, 59);\n',
      test: 'long_document',
      hunk: 'long_document',
    },
  ];

  it.each(cases)('$runner', async ({ path, file, assert, test, hunk }) => {
    const { whole, hunksOnly } = await messages(path, file, file.replace(assert, ''));
    expect(whole).toEqual([
      `1 assertion removed from "${path}" (in "${test}") without a replacement; ${REMEDY}`,
    ]);
    // The hunk alone shows only the set-up's last lines: at most its `@@` heading names the test
    // (a Go func, a Rust fn or tape's test at column 0; node:test's outer test, not the subtest).
    const named = hunk === undefined ? '' : ` (in "${hunk}")`;
    expect(hunksOnly).toEqual(
      hunk === null ? [] : [`1 assertion removed from "${path}"${named} without a replacement; ${REMEDY}`],
    );
  });

  it("does not count a module's own assert! outside its mod tests, far above it, as a test's", async () => {
    const lib = [
      'pub fn parse(text: &str) -> u32 {',
      '    assert!(!text.is_empty());',
      '    text.parse().unwrap()',
      '}',
      '',
      body('', (i) => `pub const PART_${i}: u32 = ${i};`),
      '',
      '#[cfg(test)]',
      'mod tests {',
      '    #[test]',
      '    fn parses() {',
      '        assert_eq!(super::parse("1"), 1);',
      '    }',
      '}',
      '',
    ].join('\n');
    const { whole } = await messages('src/lib.rs', lib, lib.replace('    assert!(!text.is_empty());\n', ''));
    expect(whole).toEqual([]);
  });

  it('names the doc test a removed assertion was in, far below its fence', async () => {
    const lib = [
      '/// Parses a number.',
      '///',
      '/// ```',
      '/// use parse::parse;',
      body('/// ', (i) => `let part${i} = parse("${i}");`),
      '/// assert_eq!(part0, 0);',
      '/// assert_eq!(part59, 59);',
      '/// ```',
      'pub fn parse(text: &str) -> u32 {',
      '    text.parse().unwrap()',
      '}',
      '',
    ].join('\n');
    const { whole, hunksOnly } = await messages(
      'src/lib.rs',
      lib,
      lib.replace('/// assert_eq!(part59, 59);\n', ''),
    );
    expect(whole).toEqual([
      `1 assertion removed from "src/lib.rs" (in the doc test of "parse") without a replacement; ${REMEDY}`,
    ]);
    expect(hunksOnly).toEqual([`1 assertion removed from "src/lib.rs" without a replacement; ${REMEDY}`]);
  });
});
