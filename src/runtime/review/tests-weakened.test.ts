import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import type { ReviewInput } from './input.js';
import { reviewInput } from './test-fixtures.js';
import { testNamed } from './test-names.js';
import { goalAsksToRemoveTests, testsEditedByChange, testsWeakenedReview } from './tests-weakened.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

/** The review input of a real commit: `after` maps a path to its new content, or null to delete it. */
async function realChange(
  before: Record<string, string>,
  after: Record<string, string | null>,
): Promise<ReviewInput> {
  const repo = await createTempRepo(before);
  repos.push(repo);
  const base = git(repo.root, 'rev-parse', 'HEAD');
  const deleted = Object.keys(after).filter((path) => after[path] === null);
  if (deleted.length > 0) git(repo.root, 'rm', '--quiet', '--', ...deleted);
  const written = Object.fromEntries(
    Object.entries(after).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  await repo.commit(written, 'agent change');
  const diff = git(repo.root, 'diff', '--no-renames', '--no-color', base, 'HEAD', '--');
  const numstat = git(repo.root, 'diff', '--no-renames', '--numstat', base, 'HEAD', '--');
  const changedFiles = numstat
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [additions, deletions, path] = line.split('\t');
      return { path: path ?? '', additions: Number(additions), deletions: Number(deletions) };
    });
  return reviewInput({ changedFiles, diff: `${diff}\n` });
}

function messages(input: ReviewInput, goal = 'rewrite the parser for speed'): string[] {
  return testsWeakenedReview(input, goal).map((entry) => `${entry.severity}: ${entry.message}`);
}

const JS_TEST = [
  "import { expect, it } from 'vitest';",
  "import { add } from '../src/add.js';",
  '',
  "it('adds two numbers', () => {",
  '  expect(add(1, 2)).toBe(3);',
  '});',
  '',
  "it('adds negatives', () => {",
  '  expect(add(-1, -2)).toBe(-3);',
  '  expect(add(-1, 1)).toBe(0);',
  '});',
  '',
].join('\n');

describe('testsWeakenedReview: JavaScript', () => {
  it('blocks a deleted test file, naming it and its tests', async () => {
    const input = await realChange(
      { 'test/add.test.js': JS_TEST, 'src/add.js': 'x\n' },
      {
        'test/add.test.js': null,
      },
    );
    const findings = testsWeakenedReview(input, 'rewrite add');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'blocking', paths: ['test/add.test.js'] });
    expect(findings[0]?.message).toMatch(
      /^Test file "test\/add\.test\.js" deleted with "adds two numbers", "adds negatives"; restore it/,
    );
  });

  it('blocks a removed test case and names it', async () => {
    const after = JS_TEST.replace(
      "it('adds negatives', () => {\n  expect(add(-1, -2)).toBe(-3);\n  expect(add(-1, 1)).toBe(0);\n});\n",
      '',
    );
    const input = await realChange({ 'test/add.test.js': JS_TEST }, { 'test/add.test.js': after });
    const found = messages(input);
    expect(found).toContainEqual(
      expect.stringMatching(/^blocking: Test "adds negatives" removed from "test\/add\.test\.js" without a/),
    );
    expect(found).toContainEqual(
      expect.stringMatching(
        /^blocking: 2 assertions removed from "test\/add\.test\.js" \(in "adds negatives"\) without a replacement/,
      ),
    );
  });

  it('blocks a test body replaced by an empty one', async () => {
    const after = JS_TEST.replace('  expect(add(1, 2)).toBe(3);\n});', '});');
    const input = await realChange({ 'test/add.test.js': JS_TEST }, { 'test/add.test.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: 1 assertion removed from "test\/add\.test\.js" \(in "adds two numbers"\) without a replacement/,
      ),
    ]);
  });

  it("blocks an ava test's assertion removed from a package's test.js", async () => {
    const avaTest = [
      "import test from 'ava';",
      "import clamp from './index.js';",
      '',
      "test('clamps above', t => {",
      '\tt.is(clamp(11, 0, 10), 10);',
      '\tt.deepEqual([clamp(12, 0, 10)], [10]);',
      '});',
      '',
    ].join('\n');
    const after = avaTest.replace('\tt.is(clamp(11, 0, 10), 10);\n', '');
    const input = await realChange({ 'test.js': avaTest, 'index.js': 'x\n' }, { 'test.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: 1 assertion removed from "test\.js" \(in "clamps above"\) without a replacement/,
      ),
    ]);
  });

  // minimist's test/bool.js (tape): a test turned off by its options, another's assertion removed.
  it('blocks a tape test skipped or marked todo by its options, and a tape assertion removed', async () => {
    const tapeTest = [
      "var parse = require('../');",
      "var test = require('tape');",
      '',
      "test('boolean --boool=true', function (t) {",
      "\tt.same(parse(['--boool=true'], { boolean: ['boool'] }).boool, true);",
      '\tt.end();',
      '});',
      '',
      "test('boolean using something similar to true', function (t) {",
      "\tt.same(parse(['-h', 'true.txt'], { boolean: 'h' }), { h: true, _: ['true.txt'] });",
      '\tt.end();',
      '});',
      '',
      "test('boolean default true', function (t) {",
      "\tt.equal(parse([], { boolean: 'x', default: { x: true } }).x, true);",
      '\tt.end();',
      '});',
      '',
    ].join('\n');
    const after = tapeTest
      .replace(
        "test('boolean --boool=true', function",
        "test('boolean --boool=true', { skip: true }, function",
      )
      .replace(
        "true', function (t) {\n\tt.same(parse(['-h'",
        "true', { todo: true }, function (t) {\n\tt.same(parse(['-h'",
      )
      .replace("\tt.equal(parse([], { boolean: 'x', default: { x: true } }).x, true);\n", '');
    const input = await realChange({ 'test/bool.js': tapeTest }, { 'test/bool.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: 1 assertion removed from "test\/bool\.js" \(in "boolean default true"\) without a replacement/,
      ),
      expect.stringMatching(
        /^blocking: Test "boolean --boool=true" turned off in "test\/bool\.js" \("test\('boolean/,
      ),
      expect.stringMatching(
        /^blocking: Test "boolean using something similar to true" turned off in "test\/bool\.js"/,
      ),
    ]);
  });

  // tape 5's `test.skip('x', fn)` prints nothing at all (not even `# SKIP x`), and `test.only` drops
  // every other test from the output: the run shows no skip, so the source must.
  it('blocks a tape test turned off by test.skip or tape.skip, and test.only', async () => {
    const tapeTest = (prefix: string) =>
      [
        `var ${prefix} = require('tape');`,
        '',
        `${prefix}('flag boolean default false', function (t) {`,
        "\tt.deepEqual(parse(['moo'], { boolean: ['t', 'verbose'] }).t, false);",
        '\tt.end();',
        '});',
        '',
        `${prefix}('boolean groups', function (t) {`,
        "\tt.deepEqual(parse(['-x', '-z'], { boolean: ['x', 'z'] }).x, true);",
        '\tt.end();',
        '});',
        '',
      ].join('\n');
    for (const prefix of ['test', 'tape']) {
      const before = tapeTest(prefix);
      const after = before
        .replace(`${prefix}('flag boolean`, `${prefix}.skip('flag boolean`)
        .replace(`${prefix}('boolean groups`, `${prefix}.only('boolean groups`);
      const input = await realChange({ 'test/bool.js': before }, { 'test/bool.js': after });
      expect(messages(input)).toEqual([
        expect.stringMatching(/^blocking: Test "boolean groups" turned off in "test\/bool\.js"/),
        expect.stringMatching(/^blocking: Test "flag boolean default false" turned off in "test\/bool\.js"/),
      ]);
    }
  });

  // tape prints each test as a `# name` line: one a test prints itself reads as a header, the
  // assertions after it as another test's (/tmp/tape-tape/b.test.js, captured from tape 5.10.2).
  it('blocks a test that prints a TAP line of its own, whatever the goal says', async () => {
    const before = [
      "var test = require('tape');",
      '',
      "test('fixes the bug', function (t) {",
      "\tt.equal(1, 1, 'first half');",
      "\tt.equal(parse('x'), 2, 'second half');",
      '\tt.end();',
      '});',
      '',
    ].join('\n');
    const after = before.replace(
      "\tt.equal(parse('x')",
      "\tconsole.log('# something');\n\tconsole.log(\"ok 9 fine\");\n\tconsole.log('#' + id, '# of rows');\n\tt.equal(parse('x')",
    );
    const input = await realChange({ 'test/bug.js': before }, { 'test/bug.js': after });
    const found = [
      expect.stringMatching(
        /^blocking: Test "fixes the bug" in "test\/bug\.js" prints a line of TAP's own \("console\.log\('# something'\);" added\)/,
      ),
      expect.stringMatching(/^blocking: Test "fixes the bug" in "test\/bug\.js" prints .*ok 9 fine/),
    ];
    expect(messages(input)).toEqual(found);
    expect(messages(input, 'remove the flaky tests in test/bug.js')).toEqual(found);
  });

  it("leaves a vitest test's printed '# heading' alone: its runner reads no TAP", async () => {
    const before = [
      "import { expect, test } from 'vitest';",
      '',
      "test('fixes the bug', () => {",
      "  expect(parse('x')).toBe(2);",
      '});',
      '',
    ].join('\n');
    const after = before.replace("  expect(parse('x'))", "  console.log('# rows');\n  expect(parse('x'))");
    const input = await realChange({ 'test/bug.test.js': before }, { 'test/bug.test.js': after });
    // The review reads each changed test file as committed at the head (controller: headTestTexts).
    const atHead = (text: string): ReviewInput => ({
      ...input,
      headTexts: new Map([['test/bug.test.js', text]]),
    });
    expect(messages(atHead(after))).toEqual([]);
    const tape = atHead(after.replace("import { expect, test } from 'vitest';", "import test from 'tape';"));
    expect(messages(tape)).toEqual([
      expect.stringMatching(/^blocking: Test "fixes the bug" .*prints a line of TAP's own/),
    ]);
  });

  // ljharb/qs's test/parse.js (tape): its cases are `t.test` subtests.
  it("blocks a tape subtest removed, one turned off by its options, and an st['throws'](...) assertion removed", async () => {
    const qsTest = [
      "var test = require('tape');",
      "var qs = require('../');",
      '',
      "test('parse()', function (t) {",
      "    t.test('parses a simple string', function (st) {",
      "        st.deepEqual(qs.parse('0=foo'), { 0: 'foo' });",
      '        st.end();',
      '    });',
      '',
      "    t.test('comma: false', function (st) {",
      "        st.deepEqual(qs.parse('a=b,c'), { a: 'b,c' });",
      '        st.end();',
      '    });',
      '',
      "    t.test('throws when decodeDotInKeys is not of type boolean', function (st) {",
      "        st['throws'](",
      "            function () { qs.parse('foo[]&bar=baz', { decodeDotInKeys: 'foobar' }); },",
      '            TypeError',
      '        );',
      '        st.end();',
      '    });',
      '    t.end();',
      '});',
      '',
    ].join('\n');
    const after = qsTest
      .replace(
        "    t.test('parses a simple string', function (st) {\n        st.deepEqual(qs.parse('0=foo'), { 0: 'foo' });\n        st.end();\n    });\n\n",
        '',
      )
      .replace("t.test('comma: false', function", "t.test('comma: false', { skip: true }, function")
      .replace("        st['throws'](\n", '        (\n');
    const input = await realChange({ 'test/parse.js': qsTest }, { 'test/parse.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: 2 assertions removed from "test\/parse\.js" \(in "parses a simple string", "throws when decodeDotInKeys is not of type boolean"\)/,
      ),
      expect.stringMatching(/^blocking: Test "comma: false" turned off in "test\/parse\.js"/),
      expect.stringMatching(
        /^blocking: Test "parses a simple string" removed from "test\/parse\.js" without a replacement/,
      ),
    ]);
  });

  // jshttp/cookie's test/parse.js (mocha, qunit UI): a test skipped from inside by mocha's this.skip().
  it("blocks a test skipped from inside: mocha's this.skip(), node:test's t.skip()", async () => {
    const mochaTest = [
      "var assert = require('assert');",
      "var cookie = require('..');",
      '',
      "suite('parse');",
      '',
      "test('basic', function() {",
      "  assert.deepEqual(cookie.parse('foo=bar'), { foo: 'bar' })",
      '});',
      '',
      "test('assign only once', function() {",
      "  assert.deepEqual(cookie.parse('foo=%1;bar=bar;foo=boo'), { foo: '%1', bar: 'bar' })",
      '});',
      '',
    ].join('\n');
    const after = mochaTest
      .replace("test('basic', function() {\n", "test('basic', function(t) {\n  t.skip();\n")
      .replace(
        "test('assign only once', function() {\n",
        "test('assign only once', function() {\n  this.skip();\n",
      );
    const input = await realChange({ 'test/parse.js': mochaTest }, { 'test/parse.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: Test "assign only once" turned off in "test\/parse\.js" \("this\.skip\(\);" added\)/,
      ),
      expect.stringMatching(
        /^blocking: Test "basic" turned off in "test\/parse\.js" \("t\.skip\(\);" added\)/,
      ),
    ]);
  });

  it('blocks a skipped test and a focused one', async () => {
    const after = JS_TEST.replace("it('adds two numbers'", "it.skip('adds two numbers'").replace(
      "it('adds negatives'",
      "it.only('adds negatives'",
    );
    const input = await realChange({ 'test/add.test.js': JS_TEST }, { 'test/add.test.js': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(
        /^blocking: Test "adds negatives" turned off in "test\/add\.test\.js" \("it\.only/,
      ),
      expect.stringMatching(
        /^blocking: Test "adds two numbers" turned off in "test\/add\.test\.js" \("it\.skip/,
      ),
    ]);
  });

  it('accepts changed, renamed, moved and added tests', async () => {
    const after = JS_TEST.replace('toBe(3)', 'toStrictEqual(3)')
      .replace("it('adds negatives'", "it('adds negative numbers'")
      .concat("it('adds zero', () => {\n  expect(add(0, 0)).toBe(0);\n});\n");
    const input = await realChange(
      { 'test/add.test.js': JS_TEST, 'test/old.test.js': "it('keeps', () => {\n  expect(1).toBe(1);\n});\n" },
      {
        'test/add.test.js': after,
        'test/old.test.js': null,
        'test/new.test.js': "it('keeps', () => {\n  expect(1).toBe(1);\n});\n",
      },
    );
    expect(messages(input)).toEqual([]);
  });

  it('ignores deleted helpers and changes outside tests', async () => {
    const input = await realChange(
      {
        'test/helpers/repo.js': 'export const x = 1;\n',
        'src/check.js': 'export function check(v) {\n  assert(v);\n  return /x/.test(v);\n}\n',
      },
      { 'test/helpers/repo.js': null, 'src/check.js': 'export function check(v) {\n  return true;\n}\n' },
    );
    expect(messages(input)).toEqual([]);
  });

  it('only warns when the goal asks to remove tests', async () => {
    const input = await realChange({ 'test/add.test.js': JS_TEST }, { 'test/add.test.js': null });
    expect(messages(input, 'delete the obsolete tests for add')).toEqual([
      expect.stringMatching(
        /^warning: Test file "test\/add\.test\.js" deleted .*the goal asks to remove tests/,
      ),
    ]);
  });
});

describe('testsWeakenedReview: Python, Go and Rust', () => {
  it('blocks a removed pytest function and an added skip marker', async () => {
    const before =
      'def test_parse():\n    assert parse("1") == 1\n\n\ndef test_empty():\n    assert parse("") is None\n';
    const after = '@pytest.mark.skip(reason="flaky")\ndef test_parse():\n    assert parse("1") == 1\n';
    const input = await realChange({ 'tests/test_parse.py': before }, { 'tests/test_parse.py': after });
    const found = messages(input);
    expect(found).toContainEqual(expect.stringMatching(/^blocking: Test "test_empty" removed from/));
    expect(found).toContainEqual(expect.stringMatching(/^blocking: Test "test_parse" turned off in/));
    expect(found).toContainEqual(
      expect.stringMatching(/^blocking: 1 assertion removed from .* \(in "test_empty"\)/),
    );
  });

  it('blocks a Go test whose t.Error checks were removed and one that calls t.Skip', async () => {
    const before = [
      'package calc',
      '',
      'import "testing"',
      '',
      'func TestAdd(t *testing.T) {',
      '\tif Add(1, 2) != 3 {',
      '\t\tt.Errorf("Add(1, 2) = %d", Add(1, 2))',
      '\t}',
      '}',
      '',
      'func TestSub(t *testing.T) {',
      '\tif Sub(2, 1) != 1 {',
      '\t\tt.Fatal("sub")',
      '\t}',
      '}',
      '',
    ].join('\n');
    const after = before
      .replace('\tif Add(1, 2) != 3 {\n\t\tt.Errorf("Add(1, 2) = %d", Add(1, 2))\n\t}\n', '')
      .replace('func TestSub(t *testing.T) {\n', 'func TestSub(t *testing.T) {\n\tt.Skip("later")\n');
    const input = await realChange({ 'calc_test.go': before }, { 'calc_test.go': after });
    expect(messages(input)).toEqual([
      expect.stringMatching(/^blocking: 1 assertion removed from "calc_test\.go" \(in "TestAdd"\)/),
      expect.stringMatching(/^blocking: Test "TestSub" turned off in "calc_test\.go" \("t\.Skip/),
    ]);
  });

  it('blocks a removed inline Rust #[test] and an #[ignore], and ignores asserts in plain code', async () => {
    const before = [
      'pub fn add(a: i32, b: i32) -> i32 {',
      '    a + b',
      '}',
      '',
      '#[cfg(test)]',
      'mod tests {',
      '    use super::*;',
      '',
      '    #[test]',
      '    fn adds() {',
      '        assert_eq!(add(1, 2), 3);',
      '    }',
      '',
      '    #[test]',
      '    fn adds_negatives() {',
      '        assert_eq!(add(-1, -2), -3);',
      '    }',
      '}',
      '',
    ].join('\n');
    const after = before
      .replace('    #[test]\n    fn adds_negatives() {\n        assert_eq!(add(-1, -2), -3);\n    }\n', '')
      .replace('    #[test]\n    fn adds() {', '    #[test]\n    #[ignore]\n    fn adds() {');
    const input = await realChange(
      { 'src/lib.rs': before, 'src/util.rs': 'pub fn f(x: u8) {\n    assert!(x > 0);\n}\n' },
      { 'src/lib.rs': after, 'src/util.rs': 'pub fn f(_x: u8) {\n}\n' },
    );
    const found = messages(input);
    expect(found).toContainEqual(
      expect.stringMatching(/^blocking: Test "adds_negatives" removed from "src\/lib\.rs"/),
    );
    expect(found).toContainEqual(
      expect.stringMatching(/^blocking: Test "adds" turned off in "src\/lib\.rs"/),
    );
    expect(found.some((text) => text.includes('src/util.rs'))).toBe(false);
  });
});

/** dtolnay/indoc's unindent/src/unindent.rs (trimmed): a doc test on `unindent`, tabs not yet counted as indentation. */
const UNINDENT_RS = [
  'use std::slice::Split;',
  '',
  '/// Removes the common leading whitespace, spaces or tabs, from every line.',
  '///',
  '/// ```',
  '/// use unindent::unindent;',
  '///',
  '/// assert_eq!(unindent("\\n\\t\\tline one\\n\\t\\tline two"), "line one\\nline two");',
  '/// ```',
  'pub fn unindent(s: &str) -> String {',
  '    let bytes = s.as_bytes();',
  '    let unindented = unindent_bytes(bytes);',
  '    String::from_utf8(unindented).unwrap()',
  '}',
  '',
  '// Number of leading spaces in the line, or None if the line is entirely spaces.',
  'fn count_spaces(line: &[u8]) -> Option<usize> {',
  '    for (i, ch) in line.iter().enumerate() {',
  "        if *ch != b' ' {",
  '            return Some(i);',
  '        }',
  '    }',
  '    None',
  '}',
  '',
].join('\n');
const REMEDY = 'restore it, or strengthen the test instead: a weakened test proves nothing.';
const UNINDENT_FIXED = UNINDENT_RS.replace("*ch != b' ' {", "*ch != b' ' && *ch != b'\\t' {");

describe('testsWeakenedReview: Rust doc tests', () => {
  it.each([['```ignore'], ['```no_run'], ['```rust,should_panic'], ['```text']])(
    'blocks a fix that marks the failing doc test %s, in a file with no #[test]',
    async (fence) => {
      const head = UNINDENT_FIXED.replace('/// ```\n/// use', `/// ${fence}\n/// use`);
      const found = messages(
        await realChange({ 'src/unindent.rs': UNINDENT_RS }, { 'src/unindent.rs': head }),
      );
      expect(found).toEqual([
        `blocking: A doc test turned off in "src/unindent.rs" ("/// ${fence}" added); ${REMEDY}`,
      ]);
    },
  );

  it("blocks a fix that drops the doc test's assertion", async () => {
    const head = UNINDENT_FIXED.replace(
      '/// assert_eq!(unindent("\\n\\t\\tline one\\n\\t\\tline two"), "line one\\nline two");',
      '/// let _ = unindent("\\n\\t\\tline one\\n\\t\\tline two");',
    );
    const found = messages(await realChange({ 'src/unindent.rs': UNINDENT_RS }, { 'src/unindent.rs': head }));
    expect(found).toEqual([
      expect.stringMatching(/^blocking: 1 assertion removed from "src\/unindent\.rs" without a replacement/),
    ]);
  });

  it('blocks an ignored doc test in a file with inline tests too, naming the item the hunk reaches', async () => {
    const base = [
      '/// ```',
      '/// assert_eq!(unindent::count_spaces(b"\\tx"), Some(1));',
      '/// ```',
      'pub fn count_spaces(line: &[u8]) -> Option<usize> {',
      "    line.iter().position(|ch| *ch != b' ')",
      '}',
      '',
      '#[cfg(test)]',
      'mod tests {',
      '    #[test]',
      '    fn spaces() {',
      '        assert_eq!(super::count_spaces(b"  x"), Some(2));',
      '    }',
      '}',
      '',
    ].join('\n');
    const head = base.replace('/// ```\n/// assert', '/// ```ignore\n/// assert');
    const found = messages(await realChange({ 'src/spaces.rs': base }, { 'src/spaces.rs': head }));
    expect(found).toEqual([
      `blocking: The doc test of "count_spaces" turned off in "src/spaces.rs" ("/// \`\`\`ignore" added); ${REMEDY}`,
    ]);
  });

  it('accepts the fix with a line added above the doc test, and a new no_run example', async () => {
    const head = `// Indentation is any mix of spaces and tabs.\n${UNINDENT_FIXED}`.replace(
      'pub fn unindent(',
      '///\n/// ```no_run\n/// let text = std::fs::read_to_string("Cargo.toml").unwrap();\n/// println!("{}", unindent::unindent(&text));\n/// ```\npub fn unindent(',
    );
    const found = messages(await realChange({ 'src/unindent.rs': UNINDENT_RS }, { 'src/unindent.rs': head }));
    expect(found).toEqual([]);
  });
});

describe('goalAsksToRemoveTests', () => {
  it.each([
    ['remove the flaky test in test/net.test.ts', true],
    ['Delete obsolete specs for the v1 API', true],
    ['drop the slow integration tests', true],
    ['fix the failing test in src/math.js and add a regression test', false],
    ['rewrite the parser; keep every test passing', false],
    ['remove the deprecated flag and update tests', false],
    ['skip test/slow.test.ts', true],
  ])('%s → %s', (goal, expected) => {
    expect(goalAsksToRemoveTests(goal)).toBe(expected);
  });
});

describe('testsWeakenedReview: what is not an assertion', () => {
  it('does not count an import of an assertion library as one', async () => {
    const before = [
      "import assert from 'node:assert/strict';",
      "import { expect, test } from 'vitest';",
      "test('keeps', () => {",
      '  expect(1).toBe(1);',
      '});',
      '',
    ].join('\n');
    const after = before.replace("import assert from 'node:assert/strict';\n", '');
    const input = await realChange({ 'test/a.test.js': before }, { 'test/a.test.js': after });
    expect(messages(input)).toEqual([]);
  });
});

describe('testsEditedByChange', () => {
  const edited = (input: ReviewInput) =>
    [
      ...testsEditedByChange(
        input.diff,
        input.changedFiles.map((file) => file.path),
      ),
    ].sort();
  /** As fail-to-pass reads it: the head's changed files beside the diff (the last realChange's repo). */
  const editedInFiles = (input: ReviewInput) => {
    const root = repos.at(-1)?.root ?? '';
    const head = new Map<string, string>();
    for (const { path } of input.changedFiles) {
      try {
        head.set(path, readFileSync(join(root, path), 'utf8'));
      } catch {
        // deleted on the head
      }
    }
    return [
      ...testsEditedByChange(
        input.diff,
        input.changedFiles.map((file) => file.path),
        head,
      ),
    ].sort();
  };
  const setup = (indent: string, count: number) =>
    Array.from({ length: count }, (_, n) => `${indent}const v${n} = ${n};`).join('\n');

  it('names the JS test nested in a describe whose expectation changed far below its declaration (the @@ heading names the describe)', async () => {
    const tests = `import { describe, expect, it } from 'vitest';\nimport { sum } from '../src/sum.js';\n\ndescribe('sum', () => {\n  it('adds', () => {\n${setup('    ', 5)}\n    expect(sum(1, 2)).toBe(3);\n  });\n\n  it('adds zero', () => {\n    expect(sum(1, 0)).toBe(1);\n  });\n});\n`;
    const input = await realChange(
      { 'test/sum.test.js': tests },
      { 'test/sum.test.js': tests.replace('toBe(3)', 'toBe(-1)') },
    );
    expect(editedInFiles(input)).toEqual(['adds']);
    // A regression test added in the same describe edits only itself, not its neighbours.
    const regression = tests.replace(
      '  });\n});\n',
      "  });\n\n  it('adds negatives', () => {\n" +
        `${setup('    ', 5)}\n    expect(sum(-1, -2)).toBe(-3);\n  });\n});\n`,
    );
    const added = await realChange({ 'test/sum.test.js': tests }, { 'test/sum.test.js': regression });
    expect(editedInFiles(added)).toEqual(['adds negatives']);
  });

  it('names the pytest method of a test class whose assert changed far below its def, and the removed side too', async () => {
    const tests = `from slug import slug\n\n\nclass TestSlug:\n    def test_upper(self):\n${setup('        ', 5).replaceAll('const ', '')}\n        assert slug("A B") == "a-b"\n\n    def test_plain(self):\n        assert slug("a") == "a"\n`;
    const input = await realChange(
      { 'tests/test_slug.py': tests },
      { 'tests/test_slug.py': tests.replace('assert slug("A B") == "a-b"\n', '') },
    );
    expect(editedInFiles(input)).toEqual(['test_upper']);
    const rewritten = await realChange(
      { 'tests/test_slug.py': tests },
      { 'tests/test_slug.py': tests.replace('== "a-b"', '== "A B"') },
    );
    expect(editedInFiles(rewritten)).toEqual(['test_upper']);
  });

  it("names the test a decorator stands on: a parametrized case's expectation with explicit ids, #[should_panic] added", async () => {
    const tests =
      'import pytest\n\nfrom calc import add\n\n\n@pytest.mark.parametrize(\n    "a, b, expected",\n    [\n        (1, 1, 2),\n        (2, 3, 5),\n    ],\n    ids=["ones", "small"],\n)\ndef test_add(a, b, expected):\n    assert add(a, b) == expected\n\n\ndef test_other():\n    assert add(0, 0) == 0\n';
    const python = await realChange(
      { 'tests/test_calc.py': tests },
      { 'tests/test_calc.py': tests.replace('(2, 3, 5)', '(2, 3, -1)') },
    );
    expect(editedInFiles(python)).toEqual(['test_add']);
    const lib =
      'pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n    }\n}\n';
    const rust = await realChange(
      { 'src/lib.rs': lib },
      {
        'src/lib.rs': lib.replace(
          '    #[test]\n    fn adds',
          '    #[test]\n    #[should_panic]\n    fn adds',
        ),
      },
    );
    expect(editedInFiles(rust)).toEqual(['adds']);
  });

  it('reads removed lines at their place on the base, hunks above them having moved the head; a head that does not fit the diff falls back to the hunks', async () => {
    const body = (name: string) =>
      `  it('${name}', () => {\n${setup('    ', 5)}\n    expect(${name.length}).toBe(${name.length});\n  });\n`;
    const tests = `import { describe, expect, it } from 'vitest';\n\n// one\n// two\n// three\n// four\n// five\n// six\n// seven\n// eight\n\ndescribe('all', () => {\n${body('first')}\n${body('second')}});\n`;
    // The first hunk drops eight lines; the second removes an assertion deep inside 'second'.
    const after = tests
      .replace('// one\n// two\n// three\n// four\n// five\n// six\n// seven\n// eight\n', '')
      .replace('    expect(6).toBe(6);\n', '');
    const input = await realChange({ 'test/all.test.js': tests }, { 'test/all.test.js': after });
    expect(editedInFiles(input)).toEqual(['second']);
    const stale = testsEditedByChange(
      input.diff,
      ['test/all.test.js'],
      new Map([['test/all.test.js', 'something else\n']]),
    );
    expect([...stale]).toEqual([]);
  });

  it('names the inline Rust test whose assertion changed far below its fn in mod tests', async () => {
    const lib = `pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() {\n${setup('        ', 5).replaceAll('const', 'let')}\n        assert_eq!(add(2, 3), 5);\n    }\n}\n`;
    const rewritten = await realChange(
      { 'src/lib.rs': lib },
      { 'src/lib.rs': lib.replace('), 5)', '), -1)') },
    );
    expect(editedInFiles(rewritten)).toEqual(['adds']);
    const fixed = await realChange({ 'src/lib.rs': lib }, { 'src/lib.rs': lib.replace('a - b', 'a + b') });
    expect(editedInFiles(fixed)).toEqual([]);
  });

  it('names the Python test whose expectation changed, not its untouched neighbour', async () => {
    const tests =
      'def test_simple():\n    assert slug("a b") == "a-b"\n\n\ndef test_upper():\n    assert slug("A B") == "a-b"\n';
    const input = await realChange(
      { 'tests/test_slug.py': tests },
      { 'tests/test_slug.py': tests.replace('slug("A B") == "a-b"', 'slug("A B") == ""') },
    );
    expect(edited(input)).toEqual(['test_upper']);
  });

  it('names an inline Rust test whose assertion changed, and no test for a change to the code alone', async () => {
    const lib =
      'pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n    }\n}\n';
    const rewritten = await realChange(
      { 'src/lib.rs': lib },
      { 'src/lib.rs': lib.replace('), 5)', '), -1)') },
    );
    expect(edited(rewritten)).toEqual(['adds']);
    const fixed = await realChange({ 'src/lib.rs': lib }, { 'src/lib.rs': lib.replace('a - b', 'a + b') });
    expect(edited(fixed)).toEqual([]);
  });

  it("names a Rust file's doc tests when the change edits a doc comment there, the item out of the hunk", async () => {
    const body = Array.from({ length: 8 }, (_, n) => `    let _x${n} = ${n};`).join('\n');
    const lib = `/// Adds.\n///\n/// \`\`\`\n/// assert_eq!(calc::add(2, 3), 5);\n/// \`\`\`\npub fn add(a: i32, b: i32) -> i32 {\n${body}\n    a - b\n}\n`;
    const rewritten = await realChange(
      { 'crates/calc/src/lib.rs': lib },
      { 'crates/calc/src/lib.rs': lib.replace('3), 5)', '3), -1)') },
    );
    expect(edited(rewritten)).toEqual(['doc tests of crates/calc/src/lib.rs']);
    const fixed = await realChange({ 'src/lib.rs': lib }, { 'src/lib.rs': lib.replace('a - b', 'a + b') });
    expect(edited(fixed)).toEqual([]);
  });

  it("names the item whose doc example the change edits, read from the head's whole file; a prose edit names none", async () => {
    const atHead = (input: ReviewInput, head: string) =>
      [...testsEditedByChange(input.diff, ['src/unindent.rs'], new Map([['src/unindent.rs', head]]))].sort();
    const expectation = UNINDENT_FIXED.replace(
      '"line one\\nline two");',
      '"\\t\\tline one\\n\\t\\tline two");',
    );
    const rewritten = await realChange(
      { 'src/unindent.rs': UNINDENT_RS },
      { 'src/unindent.rs': expectation },
    );
    expect(atHead(rewritten, expectation)).toEqual(['doc tests of src/unindent.rs#unindent']);
    const ignored = UNINDENT_FIXED.replace('/// ```\n/// use', '/// ```ignore\n/// use');
    const fenced = await realChange({ 'src/unindent.rs': UNINDENT_RS }, { 'src/unindent.rs': ignored });
    expect(atHead(fenced, ignored)).toEqual(['doc tests of src/unindent.rs#unindent']);
    // The fix with its doc's prose brought up to date, a line added above moving the example.
    const prose = `// Indentation is any mix of spaces and tabs.\n${UNINDENT_FIXED.replace('spaces or tabs', 'any mix of spaces and tabs')}`;
    const fixed = await realChange({ 'src/unindent.rs': UNINDENT_RS }, { 'src/unindent.rs': prose });
    expect(atHead(fixed, prose)).toEqual([]);
  });

  it('names the Go table test whose row changed, its declaration above the hunk (git names it in the @@ line)', async () => {
    const rows = Array.from({ length: 8 }, (_, n) => `\t\t{"a${n}", "b${n}", 1, 1, 2, ${n}},`).join('\n');
    const tests = `package tests\n\nimport "testing"\n\nfunc TestWagnerFischer(t *testing.T) {\n\tcases := []levenshteincase{\n${rows}\n\t}\n\tfor _, c := range cases {\n\t\tif r := WagnerFischer(c.s, c.t, c.icost, c.dcost, c.scost); r != c.r {\n\t\t\tt.Fail()\n\t\t}\n\t}\n}\n`;
    const input = await realChange(
      { 'tests/wf_test.go': tests },
      { 'tests/wf_test.go': tests.replace('"b7", 1, 1, 2, 7}', '"b7", 1, 1, 2, 1}') },
    );
    expect(edited(input)).toEqual(['TestWagnerFischer']);
  });

  it('names a Go example whose // Output: changed', async () => {
    const tests =
      'package calc\n\nimport "fmt"\n\nfunc ExampleAdd() {\n\tfmt.Println(Add(2, 3))\n\t// Output: 5\n}\n';
    const input = await realChange(
      { 'calc_test.go': tests },
      { 'calc_test.go': tests.replace('// Output: 5', '// Output: -1') },
    );
    expect(edited(input)).toEqual(['ExampleAdd']);
  });

  it('names no test when a new test is added right after the failing one (a fix with its regression test)', async () => {
    const lib =
      'pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n    }\n}\n';
    const withRegression = lib
      .replace('a - b', 'a + b')
      .replace(
        '        assert_eq!(add(2, 3), 5);\n    }\n',
        '        assert_eq!(add(2, 3), 5);\n    }\n\n    #[test]\n    fn adds_negatives() {\n        assert_eq!(add(-2, -3), -5);\n    }\n',
      );
    const rust = await realChange({ 'src/lib.rs': lib }, { 'src/lib.rs': withRegression });
    expect(edited(rust)).toEqual(['adds_negatives']);
    const tests = 'import pytest\n\n\ndef test_upper():\n    assert slug("A B") == "a-b"\n';
    const python = await realChange(
      { 'tests/test_slug.py': tests },
      {
        'tests/test_slug.py': `${tests}\n\n@pytest.mark.parametrize("text", ["A  B"])\ndef test_spaces(text):\n    assert slug(text) == "a-b"\n`,
      },
    );
    expect(edited(python)).toEqual(['test_spaces']);
  });
});

describe('testsEditedByChange: tables, wrapped names, column-0 bodies and shared set-up', () => {
  /** The head's changed files beside the diff, as fail-to-pass reads them. */
  const editedInFiles = (input: ReviewInput) => {
    const root = repos.at(-1)?.root ?? '';
    const head = new Map<string, string>();
    for (const { path } of input.changedFiles) {
      try {
        head.set(path, readFileSync(join(root, path), 'utf8'));
      } catch {
        // deleted on the head
      }
    }
    return testsEditedByChange(
      input.diff,
      input.changedFiles.map((file) => file.path),
      head,
    );
  };
  /** A row of a tagged-template table: `    ${1} | ${2} | ${3}`. */
  const row = (...cells: number[]) => `    ${cells.map((cell) => `\${${cell}}`).join(' | ')}`;
  const EACH = [
    "import { describe, expect, it } from 'vitest';",
    "import { add } from '../src/add.js';",
    '',
    "describe('add', () => {",
    '  it.each([',
    '    [1, 1, 2],',
    '    [1, 2, 3],',
    '    [2, 2, 4],',
    '    [3, 3, 6],',
    '    [4, 4, 8],',
    '    [2, 3, 5],',
    "  ])('adds %i + %i', (a, b, expected) => {",
    '    expect(add(a, b)).toBe(expected);',
    '  });',
    '',
    '  it.each`',
    '    a    | b    | expected',
    row(1, 2, 3),
    row(2, 2, 4),
    row(3, 2, 5),
    row(4, 2, 6),
    row(5, 2, 7),
    "  `('returns $expected for $a + $b', ({ a, b, expected }) => {",
    '    expect(add(a, b)).toBe(expected);',
    '  });',
    '',
    "  it('adds zero', () => {",
    '    expect(add(1, 0)).toBe(1);',
    '  });',
    '});',
    '',
  ].join('\n');

  it("names an it.each test whose table row a weak agent rewrote far below the it.each( line, matching vitest's formatted case names", async () => {
    const weak = await realChange(
      { 'test/add.test.js': EACH },
      { 'test/add.test.js': EACH.replace('[2, 3, 5]', '[2, 3, 6]') },
    );
    const edited = editedInFiles(weak);
    expect([...edited]).toEqual(['adds %i + %i']);
    expect(testNamed('test/add.test.js::add > adds 2 + 3', edited)).toBe(true);
    expect(testNamed('add > adds zero', edited)).toBe(false);
    const tagged = await realChange(
      { 'test/add.test.js': EACH },
      { 'test/add.test.js': EACH.replace(row(5, 2, 7), row(5, 2, 8)) },
    );
    expect(testNamed('add > returns 7 for 5 + 2', editedInFiles(tagged))).toBe(true);
    expect(testNamed('add > adds 2 + 3', editedInFiles(tagged))).toBe(false);
    // A correct fix's regression case: a row added to the table edits that table's test alone.
    const added = await realChange(
      { 'test/add.test.js': EACH },
      { 'test/add.test.js': EACH.replace('    [2, 3, 5],\n', '    [2, 3, 5],\n    [-2, -3, -5],\n') },
    );
    expect([...editedInFiles(added)]).toEqual(['adds %i + %i']);
  });

  it('names a test whose name is wrapped onto the line after it( and one whose body is at column 0', async () => {
    const tests = [
      "import { expect, test } from 'vitest';",
      "import { parse } from '../src/parse.js';",
      '',
      'test(',
      "  'parses a long option name that does not fit on the line of its test call',",
      '  () => {',
      "    const args = ['--verbose'];",
      '    const parsed = parse(args);',
      '    const keys = Object.keys(parsed);',
      '    expect(keys).toHaveLength(1);',
      '    expect(parsed.verbose).toBe(true);',
      '  },',
      ');',
      '',
      "test('keeps text', () => {",
      "const parsed = parse(['a']);",
      'const keys = Object.keys(parsed);',
      'const length = keys.length;',
      'expect(length).toBe(1);',
      "expect(parsed._).toEqual(['a']);",
      '});',
      '',
    ].join('\n');
    const wrapped = await realChange(
      { 'test/parse.test.js': tests },
      { 'test/parse.test.js': tests.replace('toBe(true)', 'toBe(undefined)') },
    );
    expect([...editedInFiles(wrapped)]).toEqual([
      'parses a long option name that does not fit on the line of its test call',
    ]);
    const column0 = await realChange(
      { 'test/parse.test.js': tests },
      { 'test/parse.test.js': tests.replace("toEqual(['a'])", 'toEqual([])') },
    );
    expect([...editedInFiles(column0)]).toEqual(['keeps text']);
  });

  it("counts an edited beforeEach as an edit of every test of its describe, and a pytest fixture's of every test of its module", async () => {
    const tests = [
      "import { beforeEach, describe, expect, it } from 'vitest';",
      "import { Counter } from '../src/counter.js';",
      '',
      "describe('counter', () => {",
      '  let counter;',
      '  beforeEach(() => {',
      '    counter = new Counter();',
      '    counter.add(1);',
      '    counter.add(2);',
      '    counter.add(3);',
      '    counter.add(4);',
      '  });',
      '',
      "  it('counts', () => expect(counter.total).toBe(10));",
      "  it('resets', () => {",
      '    counter.reset();',
      '    expect(counter.total).toBe(0);',
      '  });',
      '});',
      '',
      "describe('empty counter', () => {",
      "  it('starts at zero', () => expect(new Counter().total).toBe(0));",
      '});',
      '',
    ].join('\n');
    const js = await realChange(
      { 'test/counter.test.js': tests },
      { 'test/counter.test.js': tests.replace('counter.add(4);', 'counter.add(5);') },
    );
    expect([...editedInFiles(js)].sort()).toEqual(['counts', 'resets']);
    const py = [
      'import pytest',
      '',
      'from calc import Calc',
      '',
      '',
      '@pytest.fixture',
      'def calc():',
      '    c = Calc()',
      '    c.push(1)',
      '    c.push(2)',
      '    c.push(3)',
      '    c.push(4)',
      '    return c',
      '',
      '',
      'def test_total(calc):',
      '    assert calc.total() == 10',
      '',
      '',
      'class TestPop:',
      '    def test_pop(self, calc):',
      '        assert calc.pop() == 4',
      '',
    ].join('\n');
    const fixture = await realChange(
      { 'tests/test_calc.py': py },
      { 'tests/test_calc.py': py.replace('c.push(4)', 'c.push(5)') },
    );
    expect([...editedInFiles(fixture)].sort()).toEqual(['test_pop', 'test_total']);
    // A test class's setup_method: every test of that class, none of the module's others.
    const classy = py.replace(
      'class TestPop:\n',
      'class TestPop:\n    def setup_method(self):\n        self.limit = 4\n\n',
    );
    const setUp = await realChange(
      { 'tests/test_calc.py': classy },
      { 'tests/test_calc.py': classy.replace('self.limit = 4', 'self.limit = 5') },
    );
    expect([...editedInFiles(setUp)]).toEqual(['test_pop']);
    // A new import for a new test edits no other test.
    const imported = await realChange(
      { 'tests/test_calc.py': py },
      {
        'tests/test_calc.py': py
          .replace('import pytest\n', 'import math\n\nimport pytest\n')
          .concat('\n\ndef test_sqrt(calc):\n    assert math.isqrt(calc.total()) == 3\n'),
      },
    );
    expect([...editedInFiles(imported)]).toEqual(['test_sqrt']);
  });
});

describe('testsWeakenedReview: table-driven cases', () => {
  /** The review's input with the head's committed test files, as the slice's review reads them. */
  const withHead = (input: ReviewInput): ReviewInput => {
    const root = repos.at(-1)?.root ?? '';
    const headTexts = new Map<string, string>();
    for (const { path } of input.changedFiles) {
      try {
        headTexts.set(path, readFileSync(join(root, path), 'utf8'));
      } catch {
        // deleted on the head
      }
    }
    return { ...input, headTexts };
  };
  const review = (input: ReviewInput) =>
    testsWeakenedReview(withHead(input), 'fix the bug in src/add.js').map(
      (f) => `${f.severity}: ${f.message}`,
    );
  const TABLE = [
    "import { expect, it } from 'vitest';",
    "import { add } from '../src/add.js';",
    '',
    'it.each([',
    '  [1, 1, 2],',
    '  [1, 2, 3],',
    '  [2, 2, 4],',
    '  [3, 3, 6],',
    '  [4, 4, 8],',
    '  [2, 3, 5],',
    "])('adds %i + %i', (a, b, expected) => {",
    '  expect(add(a, b)).toBe(expected);',
    '});',
    '',
  ].join('\n');

  it('warns of an it.each row whose expectation a weak agent rewrote, blocks a row deleted, accepts a row added', async () => {
    const rewritten = await realChange(
      { 'test/add.test.js': TABLE },
      { 'test/add.test.js': TABLE.replace('[2, 3, 5]', '[2, 3, 6]') },
    );
    expect(review(rewritten)).toEqual([
      'warning: 1 case of test "adds %i + %i" rewritten in its table in "test/add.test.js" ("[2, 3, 5]," now "[2, 3, 6],"): a case whose expectation changed may pass by expecting what the code does rather than a fix; check the goal means to change it.',
    ]);
    const deleted = await realChange(
      { 'test/add.test.js': TABLE },
      { 'test/add.test.js': TABLE.replace('  [2, 3, 5],\n', '') },
    );
    expect(review(deleted)).toEqual([
      expect.stringMatching(
        /^blocking: 1 case of test "adds %i \+ %i" removed from its table in "test\/add.test.js" without a replacement \("\[2, 3, 5\]," removed\); restore it/,
      ),
    ]);
    const added = await realChange(
      { 'test/add.test.js': TABLE },
      { 'test/add.test.js': TABLE.replace('  [2, 3, 5],\n', '  [2, 3, 5],\n  [-2, -3, -5],\n') },
    );
    expect(review(added)).toEqual([]);
    // Spaces inside a row's strings are its case's; outside them, only its layout.
    const strings = TABLE.replace('  [2, 3, 5],\n', "  [' a ', 'a'],\n");
    const padded = await realChange(
      { 'test/add.test.js': strings },
      {
        'test/add.test.js': strings.replace("[' a ', 'a']", "[' a ', ' a ']").replace('[1, 1, 2]', '[1,1,2]'),
      },
    );
    expect(review(padded)).toEqual([
      expect.stringContaining(
        `1 case of test "adds %i + %i" rewritten in its table in "test/add.test.js" ("[' a ', 'a'],"`,
      ),
    ]);
  });

  it("does not count a table's cases moved to another file as removed", async () => {
    const moved = await realChange(
      { 'test/add.test.js': TABLE, 'test/sum.test.js': "import { it } from 'vitest';\n" },
      {
        'test/add.test.js': "import { it } from 'vitest';\n",
        'test/sum.test.js': TABLE,
      },
    );
    expect(review(moved).filter((message) => message.includes('its table'))).toEqual([]);
    const deleted = await realChange(
      { 'test/add.test.js': TABLE },
      { 'test/add.test.js': "import { it } from 'vitest';\n" },
    );
    expect(review(deleted)).toContainEqual(
      expect.stringMatching(
        /^blocking: 6 cases of test "adds %i \+ %i" removed from its table in "test\/add.test.js"/,
      ),
    );
  });

  it('blocks a @pytest.mark.parametrize case deleted, warns of one rewritten to expect the bug, accepts one added', async () => {
    const tests = [
      'import pytest',
      '',
      'from calc import add',
      '',
      '',
      'class TestAdd:',
      '    @pytest.mark.parametrize(',
      '        "a, b, expected",',
      '        [',
      '            (1, 1, 2),',
      '            (1, 2, 3),',
      '            (2, 2, 4),',
      '            pytest.param(2, 3, 5, id="small"),',
      '        ],',
      '    )',
      '    def test_add(self, a, b, expected):',
      '        assert add(a, b) == expected',
      '',
      '    def test_pair(self):',
      '        pair = (1, 2)',
      '        assert add(*pair) == 3',
      '',
    ].join('\n');
    const deleted = await realChange(
      { 'tests/test_calc.py': tests },
      { 'tests/test_calc.py': tests.replace('            (2, 2, 4),\n', '') },
    );
    expect(review(deleted)).toEqual([
      expect.stringMatching(
        /^blocking: 1 case of test "test_add" removed from its table in "tests\/test_calc.py"/,
      ),
    ]);
    const rewritten = await realChange(
      { 'tests/test_calc.py': tests },
      { 'tests/test_calc.py': tests.replace('2, 3, 5, id=', '2, 3, -1, id=') },
    );
    expect(review(rewritten)).toEqual([
      expect.stringMatching(
        /^warning: 1 case of test "test_add" rewritten in its table in "tests\/test_calc.py" \("pytest.param\(2, 3, 5, id=\\"small\\"\),"/,
      ),
    ]);
    // A case added, and a tuple in a test's body changed: no table's case.
    const added = await realChange(
      { 'tests/test_calc.py': tests },
      {
        'tests/test_calc.py': tests
          .replace('            (2, 2, 4),\n', '            (2, 2, 4),\n            (-2, -3, -5),\n')
          .replace('pair = (1, 2)', 'pair = (2, 1)'),
      },
    );
    expect(review(added)).toEqual([]);
  });
});
