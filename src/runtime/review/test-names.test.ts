import { describe, expect, it } from 'vitest';
import { testNamed } from './test-names.js';

describe('testNamed', () => {
  it("matches a runner's name to the test a diff declares: pytest's, go's, cargo's, a JS runner's", () => {
    const declared = new Set(['test_add', 'TestParse', 'adds', 'trims the text']);
    expect(testNamed('tests/test_calc.py::TestCalc::test_add[small]', declared)).toBe(true);
    expect(testNamed('example.com/m/parse::TestParse/empty', declared)).toBe(true);
    expect(testNamed('tests::adds', declared)).toBe(true);
    expect(testNamed('test/parser.test.js::parse > trims the text', declared)).toBe(true);
    expect(testNamed('test/parser.test.js::parse > keeps text', declared)).toBe(false);
  });

  it("matches a table's cases to its template: vitest's and jest's %-placeholders, $variables and %#", () => {
    const declared = new Set(['adds %i + %i', 'returns $expected for $a.value', 'case %#: %s']);
    expect(testNamed('test/add.test.js::add > adds 2 + 3', declared)).toBe(true);
    expect(testNamed('add > returns 7 for 5', declared)).toBe(true);
    expect(testNamed('case 3: " a "', declared)).toBe(true);
    expect(testNamed('add > adds 2 - 3', declared)).toBe(false);
    expect(testNamed('add > subtracts 2 + 3', declared)).toBe(false);
  });

  it("matches jest's names, whose describes are joined by ›: a nested test and a table's case", () => {
    expect(testNamed('src/parse.test.js > parse › trims the text', new Set(['trims the text']))).toBe(true);
    expect(testNamed('src/add.test.js > add › adds 2 + 3', new Set(['adds %i + %i']))).toBe(true);
    expect(testNamed('src/parse.test.js > parse › keeps text', new Set(['trims the text']))).toBe(false);
  });

  it('reads a JS name holding a slash whole, as the declaration has it', () => {
    expect(testNamed('parse > splits a/b', new Set(['splits a/b']))).toBe(true);
    expect(testNamed('parse > splits %s', new Set(['splits %s']))).toBe(true);
  });
});
