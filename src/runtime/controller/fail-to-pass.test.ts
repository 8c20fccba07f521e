import { describe, expect, it } from 'vitest';
import { testLeaf } from './fail-to-pass.js';

describe('testLeaf: the function a runner-named test is declared as, to match the lines a change edited', () => {
  it("reads each runner's name down to the function", () => {
    expect(testLeaf('tests/test_x.py::TestX::test_y[1]')).toBe('test_y');
    expect(testLeaf('example.com/m/pkg::TestY/sub')).toBe('TestY');
    expect(testLeaf('tests::y')).toBe('y');
    expect(testLeaf('test/parser.test.js > parse > trims spaces')).toBe('trims spaces');
  });

  it("reads unittest's dotted id (module.Class.method): a rewritten test method is the method", () => {
    // Before, the whole id was the leaf: a weak agent that rewrote the failing test's expectation
    // to the bug had its test counted as fail→pass, and the goal was ready.
    expect(testLeaf('tests.test_error.TestError.test_invalid_date')).toBe('test_invalid_date');
    expect(testLeaf('tests.test_calc.TestSetUpClass.setUpClass')).toBe('setUpClass');
    // A title with a dot in it is not an id.
    expect(testLeaf('parses v1.2 strings')).toBe('parses v1.2 strings');
  });
});
