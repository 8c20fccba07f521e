import { describe, expect, it } from 'vitest';
import { jsTestsByLine } from './js-test-scopes.js';

/** The tests of each line whose text includes `marker`. */
function testsOf(source: string, marker: string): string[] {
  const lines = source.split('\n');
  const scopes = jsTestsByLine(lines);
  const index = lines.findIndex((line) => line.includes(marker));
  expect(index, marker).toBeGreaterThanOrEqual(0);
  return [...(scopes[index] ?? [])].sort();
}

const FILE = [
  'import {',
  '  describe,',
  '  expect,',
  '  it,',
  "} from 'vitest';",
  "const { slug } = require('../src/slug.js');",
  '',
  'const SEPARATOR = /[(\\[{]/; // brackets in a regular expression do not open anything',
  '',
  'beforeAll(() => {',
  '  globalThis.seed = 1; // top-level hook',
  '});',
  '',
  "describe.each([['dash'], ['underscore']])('with %s', (style) => {",
  '  const options = { style }; // describe-level value',
  "  it('joins words', () => expect(slug('a b', options)).not.toMatch(SEPARATOR));",
  "  it.skipIf(process.platform === 'win32')('keeps case', () => {",
  "    expect(slug('A', options)).toBe('A'); // skipIf body",
  '  });',
  '});',
  '',
  "describe('plain', () => {",
  `  const text = \`a \${'b'} c\`; // template with an expression`,
  "  it('is a string', () => {",
  '    // a comment line',
  "    expect(typeof slug(text)).toBe('string'); // plain body",
  '  });',
  '});',
  '',
].join('\n');

describe('jsTestsByLine', () => {
  it('names the test a line is in, past regular expressions, template literals and a skipIf call', () => {
    expect(testsOf(FILE, '// skipIf body')).toEqual(['keeps case']);
    expect(testsOf(FILE, '// plain body')).toEqual(['is a string']);
  });

  it('gives a describe-level line every test of its describe, a describe.each table row included', () => {
    expect(testsOf(FILE, '// describe-level value')).toEqual(['joins words', 'keeps case']);
    expect(testsOf(FILE, "describe.each([['dash']")).toEqual(['joins words', 'keeps case']);
    expect(testsOf(FILE, '// template with an expression')).toEqual(['is a string']);
  });

  it('gives a top-level hook or value every test of the file, and an import, a require or a comment none', () => {
    const all = ['is a string', 'joins words', 'keeps case'];
    expect(testsOf(FILE, '// top-level hook')).toEqual(all);
    expect(testsOf(FILE, 'const SEPARATOR')).toEqual(all);
    expect(testsOf(FILE, '  expect,')).toEqual([]);
    expect(testsOf(FILE, "require('../src/slug.js')")).toEqual([]);
    expect(testsOf(FILE, '// a comment line')).toEqual([]);
  });

  it("keeps a test's line its own when it calls something named like a describe or a hook (mocha's context, a helper setup)", () => {
    const source = [
      "import { expect, it } from 'vitest';",
      "import { setup } from './helpers.js';",
      '',
      "it('reads what it declared', () => {",
      "  const context = treeContext(['pyproject.toml']);",
      "  expect(context.read('pyproject.toml')).toBeNull(); // context call",
      '  setup(() => {',
      '    globalThis.ready = true; // helper call',
      '  });',
      '});',
      '',
      "it('other', () => expect(1).toBe(1));",
      '',
    ].join('\n');
    expect(testsOf(source, '// context call')).toEqual(['reads what it declared']);
    expect(testsOf(source, '// helper call')).toEqual(['reads what it declared']);
  });

  // ljharb/qs's test/parse.js (tape): every case is a `t.test` subtest, which tape reports by its own name.
  it("gives a tape subtest's lines (`t.test('name', fn)` inside a test) the subtest, and a regex's .test() nothing", () => {
    const source = [
      "var test = require('tape');",
      "var qs = require('../');",
      '',
      "test('parse()', function (t) {",
      "    t.test('parses a simple string', function (st) {",
      "        st.deepEqual(qs.parse('0=foo'), { 0: 'foo' }); // subtest line",
      '        st.end();',
      '    });',
      '',
      "    t.deepEqual(qs.parse('a[b]=c'), { a: { b: 'c' } }, 'parses a single nested string'); // parent line",
      "    t.ok(/^a/.test('abc'), 'a regex'); // regex call",
      '',
      "    t.test('comma: false', function (st) {",
      "        st.deepEqual(qs.parse('a=b,c'), { a: 'b,c' }); // second subtest line",
      '        st.end();',
      '    });',
      '    t.end();',
      '});',
      '',
      'var pattern = /b/;',
      "pattern.test('outside any test'); // top-level call",
      '',
    ].join('\n');
    expect(testsOf(source, '// subtest line')).toEqual(['parses a simple string']);
    expect(testsOf(source, '// second subtest line')).toEqual(['comma: false']);
    expect(testsOf(source, '// parent line')).toEqual(['parse()']);
    expect(testsOf(source, '// regex call')).toEqual(['parse()']);
    expect(testsOf(source, '// top-level call')).toEqual([
      'comma: false',
      'parse()',
      'parses a simple string',
    ]);
  });
});
