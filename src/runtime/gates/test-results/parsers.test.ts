import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAva } from './ava.js';
import { parseCargoTest } from './cargo-test.js';
import { compareTests } from './compare.js';
import { parseGoTestJson } from './go-test-json.js';
import { parseJest } from './jest.js';
import { parseJestJson } from './jest-json.js';
import { parseJunitXml } from './junit-xml.js';
import { parseMocha } from './mocha.js';
import { parseTestResults } from './parse.js';
import { parsePytest } from './pytest.js';
import { parseTap } from './tap.js';
import { parseUnittest } from './unittest.js';
import { parseVitest } from './vitest.js';

// Fixtures are the runners' real output (pytest 9, python 3.10 and 3.11 -m unittest, node 22 --test, vitest 4,
// cargo 1.95, ava 6), captured
// from small projects; jest's and go's are written from their documented formats.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

const NOT_TESTS = [
  'npm ERR! missing script: test',
  'src/app.ts(3,7): error TS2322: Type "string" is not assignable to type "number".',
  'Compiling fx v0.1.0\nerror[E0425]: cannot find value `x` in this scope',
  'ok\nall good\n',
].join('\n');

describe('pytest', () => {
  it('reads the -rA short summary: names with parameters and dashes, the totals line for skips', () => {
    expect(parsePytest(fixture('pytest-ra.txt'))).toEqual({
      source: 'pytest',
      passed: [
        'tests/test_x.py::TestK::test_m',
        'tests/test_x.py::test_ok',
        'tests/test_x.py::test_param[a b]',
      ],
      failed: ['tests/test_x.py::test_bad', 'tests/test_x.py::test_param[c]'],
      skipped: 1,
    });
  });

  it('reads -v result lines', () => {
    expect(parsePytest(fixture('pytest-v.txt'))).toMatchObject({
      passed: [
        'tests/test_x.py::TestK::test_m',
        'tests/test_x.py::test_ok',
        'tests/test_x.py::test_param[a b]',
      ],
      failed: ['tests/test_x.py::test_bad', 'tests/test_x.py::test_param[c]'],
      skipped: 1,
    });
  });

  it('counts a collection error as a failure of its file', () => {
    const output = [
      '==================================== ERRORS ====================================',
      '______________________ ERROR collecting tests/test_y.py _______________________',
      'ImportError while importing test module',
      '=========================== short test summary info ============================',
      'PASSED tests/test_x.py::test_ok',
      'ERROR tests/test_y.py - ModuleNotFoundError: No module named nope',
      '========================= 1 passed, 1 error in 0.05s ==========================',
    ].join('\n');
    expect(parsePytest(output)).toMatchObject({
      passed: ['tests/test_x.py::test_ok'],
      failed: ['tests/test_y.py'],
    });
  });

  it('says null for output without pytest results', () => {
    expect(parsePytest(NOT_TESTS)).toBeNull();
  });
});

describe('JUnit XML', () => {
  it("reads pytest's report: failures, skips, entities", () => {
    expect(parseJunitXml(fixture('pytest-junit.xml'))).toEqual({
      source: 'junit-xml',
      passed: ['tests.test_x.TestK::test_m', 'tests.test_x::test_ok', 'tests.test_x::test_param[a b]'],
      failed: ['tests.test_x::test_bad', 'tests.test_x::test_param[c]'],
      skipped: 1,
    });
  });

  it('counts <error> as failed and ignores test-like text inside CDATA and comments', () => {
    const xml = `<?xml version="1.0"?>
<testsuites>
  <testsuite name="jest tests" tests="3">
    <!-- <testcase name="commented out"/> -->
    <testcase classname="div by zero" name="div by zero throws" time="0.003">
      <failure><![CDATA[Error: <testcase name="fake"/> expect(received).toThrow()]]></failure>
    </testcase>
    <testcase classname='Calc' name='setUp &amp; run'><error message="boom"/></testcase>
    <testcase name="no class"></testcase>
  </testsuite>
</testsuites>`;
    expect(parseJunitXml(xml)).toEqual({
      source: 'junit-xml',
      passed: ['no class'],
      failed: ['Calc::setUp & run', 'div by zero::div by zero throws'],
      skipped: 0,
    });
  });

  it('says null for XML without test cases', () => {
    expect(parseJunitXml('<?xml version="1.0"?><testsuites/>')).toBeNull();
  });
});

describe('TAP', () => {
  it("reads node --test's tap reporter: subtests under their suite, escaped #, skips", () => {
    expect(parseTap(fixture('node-test-tap.txt'))).toEqual({
      source: 'tap',
      passed: ['math > adds', 'top'],
      failed: ['math > subs # x'],
      skipped: 1,
    });
  });

  it('keeps a failing parent with no failing subtest (a failing hook), and ignores YAML blocks', () => {
    const output = [
      'TAP version 13',
      '# Subtest: db',
      '    ok 1 - connects',
      '    1..1',
      'not ok 1 - db',
      '  ---',
      '  error: after hook failed',
      '  actual: |',
      '    not ok 7 - looks like a result',
      '  ...',
      '1..1',
    ].join('\n');
    expect(parseTap(output)).toMatchObject({ passed: ['db > connects'], failed: ['db'] });
  });

  // Captured from tape 5.10.2 on node 20: `npm test` (`tape 'test/**/*.js'`) of minimist 1.2.1.
  it('reads tape: each `# name` header is a test, failed when an assertion under it failed', () => {
    const results = parseTap(fixture('tape-minimist.txt'));
    expect(results).toMatchObject({
      source: 'tap',
      failed: ['boolean using something similar to true'],
      skipped: 0,
    });
    // Twenty tests, not 44 assertions: no assertion's message (`should be deeply equivalent`) is a test.
    expect(results?.passed).toHaveLength(19);
    expect(results?.passed).toContain('move arguments after the -- into their own `--` array');
    expect(results?.passed).not.toContain('should be deeply equivalent');
  });

  // Captured from tape 5.10.2: options `skip`/`todo`, `t.skip`, `t.test` subtests, console output, `t.plan`.
  it('reads tape: skipped and todo tests, subtests as their own headers, a plan not met', () => {
    expect(parseTap(fixture('tape-variants.txt'))).toEqual({
      source: 'tap',
      // `console.log('# looks like a header')` in `logs` reads as a header: TAP cannot tell them apart.
      passed: ['adds', 'has a skipped assertion', 'inner one', 'looks like a header', 'outer'],
      failed: ['inner two', 'plan too many'],
      // `# SKIP skipped by option` and `# TODO todo test` (its failing assertion is a TODO).
      skipped: 2,
    });
  });

  // Captured from tape 5.10.2 (/tmp/tape-tape/b.test.js): tests that console.log a `# …` line
  // between two assertions, a todo test, subtests, `t.comment`, and `test.skip`, which prints nothing.
  it("reads tape: a `# SKIP`/`# TODO` line a test prints is not a header; the test's assertions stay its own", () => {
    const results = parseTap(fixture('tape-console-lines.txt'));
    expect(results).toEqual({
      source: 'tap',
      // `# something` is the same line as `t.comment('something')`: it stays a header (its failing
      // assertion reads as a failing test of that name, new on the head), as `# a comment` does.
      passed: ['a comment', 'async child', 'async parent', 'child', 'fixes the bug', 'last', 'parent'],
      // `console.log('# SKIP later')` then a failing assertion: a skipped test runs none.
      // `console.log('# TODO later')` then one without `# TODO`: a todo test's all carry it.
      failed: ['child of todo', 'hides in a skip', 'hides in a todo', 'something'],
      // `{ todo: true }`'s two; `test.skip('gone', …)` printed nothing: no test, so gone from the head.
      skipped: 2,
    });
    expect([...(results?.passed ?? []), ...(results?.failed ?? [])]).not.toContain('gone');
    expect(results?.passed).not.toContain('later');
  });

  it("reads tape: a passing point out of tape's numbering is console output; a run ending in a skip blames the test before", () => {
    const run = (...lines: string[]) => parseTap(['TAP version 13', ...lines].join('\n'));
    // `console.log('ok 99 …')` in a test whose one assertion is skipped: still skipped, not passing.
    expect(run('# later', 'ok 1 not yet # SKIP', 'ok 99 looks like a point', '', '1..1')).toMatchObject({
      passed: [],
      skipped: 1,
    });
    // A failing one out of order still fails (`ok 2` printed first, then tape's `not ok 2`).
    expect(run('# fix', 'ok 1 a', 'ok 2 printed', 'not ok 2 b', 'ok 3 c', '', '1..3')).toMatchObject({
      failed: ['fix'],
    });
    // `console.log('# SKIP x')` and then a throw: the process ends in the test that printed it.
    expect(run('# done', 'ok 1 a', '# throws', 'ok 2 b', '# SKIP x')).toMatchObject({
      passed: ['done'],
      failed: ['throws'],
    });
  });

  // Captured from tape 5.10.2: minimist with a bug that throws (JSON.parse of `-z`'s next argument).
  it('reads tape: an error thrown in a test ends the run with no plan, and that test failed', () => {
    expect(parseTap(fixture('tape-crash.txt'))).toEqual({
      source: 'tap',
      passed: ['flag boolean default false'],
      failed: ['boolean groups'],
      skipped: 0,
    });
    // A run after it (`tape a.js; tape b.js`) starts with its own version line.
    const next = `${fixture('tape-crash.txt')}\nTAP version 13\n# later\nok 1 should be truthy\n\n1..1\n# tests 1\n# pass  1\n\n# ok\n`;
    expect(parseTap(next)).toMatchObject({
      passed: ['flag boolean default false', 'later'],
      failed: ['boolean groups'],
    });
    // A comment before the run (a pretest script's) is no test.
    const before = `# checked 4 files\n${fixture('tape-crash.txt')}`;
    expect(parseTap(before)).toMatchObject({ failed: ['boolean groups'] });
  });

  it('says null without a plan or version line', () => {
    expect(parseTap(NOT_TESTS)).toBeNull();
  });
});

describe('go test -json', () => {
  it('reads test events, subtests, skips, and a package that did not build', () => {
    expect(parseGoTestJson(fixture('go-test.json'))).toEqual({
      source: 'go-test-json',
      passed: ['example.com/calc::TestAdd'],
      failed: ['example.com/calc/parse', 'example.com/calc::TestDiv', 'example.com/calc::TestDiv/by_zero'],
      skipped: 1,
    });
  });

  it('counts a package go reports only on stderr (a vet error, before Go 1.24) as failed', () => {
    // go 1.19 `go test ./... -json` where util (no test files) has a vet error: exit 2, and util
    // appears only as `# example.com/stackcalc/util` and the error, outside the JSON stream.
    expect(parseGoTestJson(fixture('go-test-vet-untested-package.json'))).toEqual({
      source: 'go-test-json',
      passed: [
        'example.com/stackcalc/stack::TestLen',
        'example.com/stackcalc/stack::TestPopEmpty',
        'example.com/stackcalc/stack::TestPushPopOrder',
      ],
      failed: ['example.com/stackcalc/util'],
      skipped: 0,
    });
    // A header with no error under it (a cgo warning), or a package that passed, is no failure.
    const passing = '{"Action":"pass","Package":"example.com/m","Test":"TestA"}';
    expect(parseGoTestJson(`# runtime/cgo\nwarning: something\n${passing}`)?.failed).toEqual([]);
    const pkgPass = '{"Action":"pass","Package":"example.com/m"}';
    expect(parseGoTestJson(`# example.com/m\nm.go:1:1: note\n${passing}\n${pkgPass}`)?.failed).toEqual([]);
  });

  it('says null for output that is not go test -json', () => {
    expect(parseGoTestJson(`${NOT_TESTS}\n{"name":"pkg","version":"1.0.0"}`)).toBeNull();
  });
});

describe('cargo test', () => {
  it("reads libtest's result lines", () => {
    expect(parseCargoTest(fixture('cargo-test.txt'))).toEqual({
      source: 'cargo-test',
      passed: ['tests::adds'],
      failed: ['tests::wrong'],
      skipped: 1,
      skippedNames: ['tests::later'],
    });
  });

  it("names a test two of a workspace's targets share by its target: add_one's and add_two's tests::it_works", () => {
    // A workspace (The Rust Book's add_one and its add_two exercise) whose members both have
    // tests::it_works and a tests/api.rs with from_outside; add_two's it_works fails.
    expect(parseCargoTest(fixture('cargo-test-workspace.txt'))).toEqual({
      source: 'cargo-test',
      passed: [
        'add_one/src/lib.rs - add_one (example 1)',
        'add_one::tests::it_works',
        'api-ab8371649b62d211::from_outside',
        'api-e2ad1f8c17dbc508::from_outside',
      ],
      failed: ['add_two/src/lib.rs - add_two (example 1)', 'add_two::tests::it_works'],
      skipped: 0,
    });
  });

  it("pairs each test binary's results with its Running line by their order, as omk's log may put cargo's stderr after the tests' stdout", () => {
    // omk's gate log as written: cargo's `Running`/`Doc-tests` lines (stderr) arrived after the
    // test binaries' output (stdout); each stream keeps its own order.
    expect(parseCargoTest(fixture('cargo-test-workspace-interleaved.txt'))).toEqual({
      source: 'cargo-test',
      passed: ['add_one::tests::it_works', 'add_two::tests::it_works', 'adds_one_to_negative'],
      failed: [],
      skipped: 0,
    });
    // A binary that printed no `running N tests` (a `harness = false` target): which results are
    // whose is unknown, and no name is qualified.
    const unpaired = fixture('cargo-test-workspace.txt').replace(
      '     Running unittests src/main.rs',
      '     Running tests/bench.rs (target/debug/deps/bench-0123456789abcdef)\n     Running unittests src/main.rs',
    );
    expect(parseCargoTest(unpaired)?.failed).toEqual([
      'add_two/src/lib.rs - add_two (example 1)',
      'tests::it_works',
    ]);
  });

  it("compares a workspace's base and head per member: add_one's test fixed, add_two's still failing", () => {
    const base = parseCargoTest(fixture('cargo-test-workspace-base.txt'));
    const head = parseCargoTest(fixture('cargo-test-workspace.txt'));
    if (base === null || head === null) throw new Error('no results read');
    expect(compareTests(base, head)).toMatchObject({
      failToPass: [
        'add_one/src/lib.rs - add_one (example 1)',
        'add_one::tests::it_works',
        'api-ab8371649b62d211::from_outside',
      ],
      regressions: [],
      stillFailing: ['add_two/src/lib.rs - add_two (example 1)', 'add_two::tests::it_works'],
    });
  });

  it('reads doc tests and says null when only compiler errors were printed', () => {
    const doc = 'running 1 test\ntest src/lib.rs - add (line 3) ... FAILED\n\ntest result: FAILED.';
    expect(parseCargoTest(doc)).toMatchObject({ failed: ['src/lib.rs - add (example 1)'] });
    expect(parseCargoTest(NOT_TESTS)).toBeNull();
  });

  it("names doc tests by their rank among the item's examples, so a line added above renames none", () => {
    // cargo 1.95's doc-test lines, in the order it printed them (not by line).
    const run = (shift: number) =>
      [
        `test src/lib.rs - Meter::read (line ${31 + shift}) ... ignored`,
        `test src/lib.rs - (line 3) ... ok`,
        `test src/lib.rs - twice (line ${17 + shift}) - compile fail ... ok`,
        `test src/lib.rs - twice (line ${13 + shift}) ... ok`,
        `test src/lib.rs - twice (line ${9 + shift}) ... ok`,
        `test src/lib.rs - twice (line ${21 + shift}) ... FAILED`,
        'test result: FAILED. 4 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 2.14s',
      ].join('\n');
    const expected = {
      source: 'cargo-test',
      passed: [
        'src/lib.rs - (example 1)',
        'src/lib.rs - twice (example 1)',
        'src/lib.rs - twice (example 2)',
        'src/lib.rs - twice (example 3) - compile fail',
      ],
      failed: ['src/lib.rs - twice (example 4)'],
      skipped: 1,
      skippedNames: ['src/lib.rs - Meter::read (example 1)'],
    };
    expect(parseCargoTest(run(0))).toEqual(expected);
    expect(parseCargoTest(run(2))).toEqual(expected);
  });
});

describe('vitest', () => {
  it('reads the failing tests of the default reporter by their FAIL headings, skips from the totals', () => {
    expect(parseVitest(fixture('vitest-default.txt'))).toEqual({
      source: 'vitest',
      passed: [],
      failed: ['a.test.ts > math > subs'],
      skipped: 1,
    });
  });

  it('reads the verbose reporter: every test by file > suite > name', () => {
    expect(parseVitest(fixture('vitest-verbose.txt'))).toEqual({
      source: 'vitest',
      passed: ['a.test.ts > math > adds', 'b.test.ts > b ok'],
      failed: ['a.test.ts > math > subs'],
      skipped: 1,
    });
  });

  it('says null without the Test Files summary', () => {
    expect(parseVitest(NOT_TESTS)).toBeNull();
  });
});

describe('jest', () => {
  it('reads --verbose lists and ● headings with the same names, and a suite that failed to run', () => {
    expect(parseJest(fixture('jest-verbose.txt'))).toEqual({
      source: 'jest',
      passed: ['src/add.test.js > add › adds two numbers', 'src/div.test.js > div › divides'],
      failed: ['src/broken.test.js', 'src/div.test.js > div › by zero › throws'],
      skipped: 1,
    });
  });

  it('reads the failing tests of the default output', () => {
    expect(parseJest(fixture('jest-default.txt'))).toEqual({
      source: 'jest',
      passed: [],
      failed: ['src/div.test.js > div › by zero › throws'],
      skipped: 0,
    });
  });

  it('says null without the Tests: summary', () => {
    expect(parseJest(NOT_TESTS)).toBeNull();
  });
});

describe('ava', () => {
  it('reads a single test file: titles as names, the failing one by its heading', () => {
    expect(parseAva(fixture('ava-single.txt'))).toEqual({
      source: 'ava',
      passed: ['clamps below', 'keeps a value in range'],
      failed: ['clamps above'],
      skipped: 0,
    });
  });

  it('reads several files: file > title, messages and durations cut off, a file that exited early failed', () => {
    expect(parseAva(fixture('ava-default.txt'))).toEqual({
      source: 'ava',
      passed: ['math > adds', 'strings > trims'],
      failed: ['math > divides with a message', 'math > subtracts', 'math > throws', 'test/broken.js'],
      // a skip, a todo and a test.failing() that still fails
      skipped: 3,
    });
  });

  it('is null without its summary line', () => {
    expect(parseAva(NOT_TESTS)).toBeNull();
    expect(parseAva('  ✔ looks like a tick\n')).toBeNull();
  });
});

describe('mocha', () => {
  it("reads the spec reporter of each package's run in an npm workspaces monorepo", () => {
    expect(parseMocha(fixture('mocha-workspaces.txt'))).toEqual({
      source: 'mocha',
      passed: [
        '@x/a > sum > integers > adds two numbers',
        '@x/a > sum > is top level',
        '@x/b > check() > adds two numbers',
        '@x/b > runs outside any suite',
      ],
      failed: ['@x/a > sum > integers > adds a negative: (-1)'],
      skipped: 1,
    });
  });

  it('names tests by their suites alone without npm, and a slow test without its time', () => {
    const output = [
      '',
      '  math',
      '    ✔ adds (120ms)',
      '    1) subtracts',
      '',
      '  1 passing (130ms)',
      '  1 failing',
      '',
      '  1) math',
      '       subtracts:',
      '     AssertionError',
    ].join('\n');
    expect(parseMocha(output)).toEqual({
      source: 'mocha',
      passed: ['math > adds'],
      failed: ['math > subtracts'],
      skipped: 0,
    });
  });
});

describe('python -m unittest', () => {
  const calc = 'tests.test_calc.TestAdd';
  it('reads -v lines (python 3.11+): a docstring line, subtests, skips, expected failures, a module that failed to import', () => {
    expect(parseUnittest(fixture('unittest-v.txt'))).toEqual({
      source: 'unittest',
      passed: [`${calc}.test_adds`, `${calc}.test_documented`],
      failed: [
        'tests.test_broken',
        `${calc}.test_fixed_bug`,
        `${calc}.test_raises`,
        `${calc}.test_sub`,
        `${calc}.test_wrong`,
        'tests.test_calc.TestSetUpClass.setUpClass',
      ],
      skipped: 2,
    });
  });

  it('reads python 3.10, whose lines name only the class, with the same names', () => {
    expect(parseUnittest(fixture('unittest-v-py310.txt'))).toEqual(parseUnittest(fixture('unittest-v.txt')));
  });

  it('reads the failing tests of a run without -v by their FAIL: and ERROR: headings', () => {
    expect(parseUnittest(fixture('unittest-plain.txt'))).toEqual({
      source: 'unittest',
      passed: [],
      failed: [
        'tests.test_broken',
        `${calc}.test_fixed_bug`,
        `${calc}.test_raises`,
        `${calc}.test_sub`,
        `${calc}.test_wrong`,
        'tests.test_calc.TestSetUpClass.setUpClass',
      ],
      skipped: 2,
    });
  });

  it('says null without the Ran N tests line, and for a passing run without -v', () => {
    expect(parseUnittest(NOT_TESTS)).toBeNull();
    expect(parseUnittest('test_x (m.C.test_x) ... ok\n')).toBeNull();
    expect(
      parseUnittest(
        '.....\n----------------------------------------------------------------------\nRan 5 tests in 0.001s\n\nOK\n',
      ),
    ).toBeNull();
  });
});

describe('parseTestResults', () => {
  it('picks the format the output is in', () => {
    expect(parseTestResults(fixture('cargo-test.txt'))?.source).toBe('cargo-test');
    expect(parseTestResults(fixture('pytest-ra.txt'))?.source).toBe('pytest');
    expect(parseTestResults(fixture('node-test-tap.txt'))?.source).toBe('tap');
    expect(parseTestResults(fixture('vitest-verbose.txt'))?.source).toBe('vitest');
    expect(parseTestResults(fixture('jest-verbose.txt'))?.source).toBe('jest');
    expect(parseTestResults(fixture('ava-single.txt'))?.source).toBe('ava');
    expect(parseTestResults(fixture('mocha-workspaces.txt'))?.source).toBe('mocha');
    expect(parseTestResults(fixture('go-test.json'))?.source).toBe('go-test-json');
    expect(parseTestResults(fixture('unittest-v.txt'))?.source).toBe('unittest');
    expect(parseTestResults(fixture('unittest-plain.txt'))?.source).toBe('unittest');
  });

  it('falls back to the JUnit report, and says null when neither has results', () => {
    expect(parseTestResults(NOT_TESTS, fixture('pytest-junit.xml'))?.source).toBe('junit-xml');
    expect(parseTestResults(NOT_TESTS, '<testsuites/>')).toBeNull();
    expect(parseTestResults(NOT_TESTS)).toBeNull();
  });
});

describe('jest --json report', () => {
  it('names every test, passing ones included, relative to the tree, and a file that failed to run', () => {
    const report = JSON.stringify({
      numTotalTests: 4,
      testResults: [
        {
          name: '/work/wt/s1/test/math.test.js',
          status: 'failed',
          assertionResults: [
            { ancestorTitles: ['math'], title: 'adds', status: 'passed' },
            { ancestorTitles: ['math'], title: 'subtracts', status: 'failed' },
            { ancestorTitles: [], title: 'later', status: 'pending' },
          ],
        },
        { name: '/work/wt/s1/test/broken.test.js', status: 'failed', assertionResults: [] },
      ],
    });
    expect(parseJestJson(report, '/work/wt/s1')).toEqual({
      source: 'jest',
      passed: ['test/math.test.js > math › adds'],
      failed: ['test/broken.test.js', 'test/math.test.js > math › subtracts'],
      skipped: 1,
    });
    expect(parseJestJson('not json', '/work')).toBeNull();
    expect(parseJestJson('{"ok":true}', '/work')).toBeNull();
  });
});
