import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJestJson } from '../gates/test-results/jest-json.js';
import type { GateEvidence } from '../proof/schema.js';
import { testResults } from '../proof/test-evidence.js';
import { testCounts } from '../proof/test-summary.js';
import { testDataRead } from '../review/test-data.js';
import { testsEditedByChange } from '../review/tests-weakened.js';
import { editedTest, failToPassByEdit } from './edited-test.js';

// Captured from a real run: ts-dedent 2.3.0 (jest 30, ts-jest) with its escape-sequence fix
// reverted, and an agent that rewrote the failing test's expectation to the bug's value. The
// jest reports are omk's `--json --outputFile` of the base and of that agent's head (worktree
// paths replaced by /work/ts-dedent); the diff and the spec file are the head's.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const SPEC = 'src/__tests__/index.spec.ts';
const edited = testsEditedByChange(
  fixture('ts-dedent-weak.diff'),
  [SPEC],
  new Map([[SPEC, fixture('ts-dedent-weak-head.spec.ts.txt')]]),
);
const base = parseJestJson(fixture('ts-dedent-jest-base.json'), '/work/ts-dedent');
const head = parseJestJson(fixture('ts-dedent-jest-weak-head.json'), '/work/ts-dedent');

describe('editedTest: a test named by jest, edited by the change', () => {
  it('the failing test whose expectation the change rewrote is edited, by its jest name (`file > suite › title`)', () => {
    const flipped = (base?.failed ?? []).filter((name) => head?.passed.includes(name));
    expect(flipped).toEqual([`${SPEC} > dedent tag › should process escape sequences`]);
    expect(flipped.filter((name) => editedTest(name, edited))).toEqual(flipped);
  });

  it('a test the change did not touch is not edited, a title with a slash included', () => {
    expect(editedTest(`${SPEC} > dedent tag › should dedent nested dedents correctly`, edited)).toBe(false);
    expect(editedTest(`${SPEC} > dedent tag › should remove leading/trailing line break`, edited)).toBe(
      false,
    );
  });

  it('a jest title with a slash is matched whole, not cut at the slash', () => {
    const slashed = new Set(['should remove leading/trailing line break']);
    expect(
      editedTest(`${SPEC} > dedent() function › should remove leading/trailing line break`, slashed),
    ).toBe(true);
  });

  it("other runners' names still end in the test: vitest's, pytest's, go's and cargo's", () => {
    expect(editedTest('test/a.test.ts > parse > trims', new Set(['trims']))).toBe(true);
    expect(editedTest('tests/test_x.py::TestX::test_y[1]', new Set(['test_y']))).toBe(true);
    expect(editedTest('example.com/m/pkg::TestY/sub', new Set(['TestY']))).toBe(true);
    expect(editedTest('tests::y', new Set(['y']))).toBe(true);
    expect(editedTest('tests::y', new Set(['z']))).toBe(false);
  });
});

describe("editedTest: each runner's name read down to the function its diff declares", () => {
  const editedOnly = (leaf: string, name: string) => editedTest(name, new Set([leaf]));

  it('pytest, go test, cargo and vitest names end in the function or the title', () => {
    expect(editedOnly('test_y', 'tests/test_x.py::TestX::test_y[1]')).toBe(true);
    expect(editedOnly('TestY', 'example.com/m/pkg::TestY/sub')).toBe(true);
    expect(editedOnly('y', 'tests::y')).toBe(true);
    expect(editedOnly('trims spaces', 'test/parser.test.js > parse > trims spaces')).toBe(true);
  });

  it("unittest's dotted id (module.Class.method) is its method: a rewritten test method is edited", () => {
    // Before, the whole id was the leaf: a weak agent that rewrote the failing test's expectation
    // to the bug had its test counted as fail→pass, and the goal was ready.
    expect(editedOnly('test_invalid_date', 'tests.test_error.TestError.test_invalid_date')).toBe(true);
    expect(editedOnly('setUpClass', 'tests.test_calc.TestSetUpClass.setUpClass')).toBe(true);
    // A title with a dot in it is not an id.
    expect(editedOnly('parses v1.2 strings', 'parses v1.2 strings')).toBe(true);
    expect(editedOnly('2 strings', 'parses v1.2 strings')).toBe(false);
  });
});

describe('editedTest: expected values kept in test data (testdata/, __snapshots__/) belong to their tests', () => {
  // Captured from a real walk: a Go module (pkg/wrap with golden tests under pkg/wrap/testdata,
  // pkg/slug, internal/words) with an off-by-one planted in wrap.Fill, and an agent that ran
  // `go test ./pkg/wrap -update`: the golden file now holds the bug's output and the failing test
  // passes. Before, that test counted as fail→pass and the goal was ready.
  const GOLDEN = 'pkg/wrap/testdata/fill-10.golden';
  const golden = testsEditedByChange(fixture('textkit-golden-weak.diff'), [GOLDEN]);

  it("a golden file rewritten under a package's testdata/ edits every test of that package", () => {
    expect(editedTest('example.com/textkit/pkg/wrap::TestFillGolden', golden)).toBe(true);
    expect(editedTest('example.com/textkit/pkg/wrap::TestFillGolden/fill-10.golden', golden)).toBe(true);
    expect(editedTest('example.com/textkit/pkg/wrap::TestFill/two_lines', golden)).toBe(true);
  });

  it("another package's tests are not edited by it", () => {
    expect(editedTest('example.com/textkit/pkg/slug::TestMake', golden)).toBe(false);
    expect(editedTest('example.com/textkit/internal/words::TestSplit/tabs', golden)).toBe(false);
  });

  it('test data at the root belongs to every test; a snapshot to the tests of the files beside it', () => {
    const root = testsEditedByChange('', ['testdata/TestRun/ok.golden']);
    expect(editedTest('example.com/m::TestRun/ok', root)).toBe(true);
    const snap = testsEditedByChange('', ['src/__tests__/__snapshots__/index.spec.ts.snap']);
    expect(editedTest('src/__tests__/index.spec.ts > dedent tag › renders', snap)).toBe(true);
    expect(editedTest('src/other.spec.ts > renders', snap)).toBe(false);
    const py = testsEditedByChange('', ['tests/testdata/expected.json']);
    expect(editedTest('tests/test_x.py::test_y[1]', py)).toBe(true);
    expect(editedTest('other/test_z.py::test_z', py)).toBe(false);
    // pytest-snapshot's and syrupy's `snapshots/` under a test directory; elsewhere the name is no test's.
    const pytest = testsEditedByChange('', ['tests/snapshots/test_render/out.txt']);
    expect(editedTest('tests/test_render.py::test_render', pytest)).toBe(true);
    expect(testsEditedByChange('', ['db/snapshots/2024.sql']).size).toBe(0);
  });

  it('names the changed test-data files a test may read, for the reason that says why it is edited', () => {
    const changed = [
      'pkg/wrap/testdata/fill-10.golden',
      'pkg/slug/testdata/a.golden',
      'pkg/wrap/wrap_test.go',
    ];
    expect(testDataRead('example.com/textkit/pkg/wrap::TestFillGolden/fill-10.golden', changed)).toEqual([
      'pkg/wrap/testdata/fill-10.golden',
    ]);
    expect(testDataRead('example.com/textkit/internal/words::TestSplit', changed)).toEqual([]);
  });
});

describe("the slice's line counts fail→pass as the fail-to-pass check does", () => {
  // The diff of a weak agent that rewrote a class method's assert to the bug (per-test e2e), and a
  // test it did not touch that also went from failing to passing.
  const TESTS = 'tests/test_calc.py';
  const DIFF = [
    `diff --git a/${TESTS} b/${TESTS}`,
    'index 3b18e51..9c2f0c7 100644',
    `--- a/${TESTS}`,
    `+++ b/${TESTS}`,
    '@@ -7,4 +7,4 @@ class TestAdd:',
    '         b = 3',
    '         total = add(a, b)',
    '         assert isinstance(total, int)',
    '-        assert total == 5',
    '+        assert total == -1',
    '',
  ].join('\n');
  const HEAD =
    'from calc import add\n\n\nclass TestAdd:\n    def test_adds(self):\n' +
    '        a = 2\n        b = 3\n        total = add(a, b)\n        assert isinstance(total, int)\n' +
    '        assert total == -1\n';
  const edited = testsEditedByChange(DIFF, [TESTS], new Map([[TESTS, HEAD]]));
  const gate = (failToPass: string[]): GateEvidence => ({
    name: 'pytest',
    kind: 'test',
    required: true,
    outcome: 'passed',
    exitCode: 0,
    durationMs: 1,
    sha: 'abc',
    tail: '',
    artifact: null,
    tests: testResults({ source: 'junit-xml', baseSha: 'b', passed: 2, failToPass }),
  });

  it('a test the change edited is not counted as fail→pass: the line says it passes by its own edit', () => {
    const gates = [gate([`${TESTS}::TestAdd::test_adds`])];
    expect(failToPassByEdit(gates, edited)).toEqual([`${TESTS}::TestAdd::test_adds`]);
    expect(testCounts(gates, failToPassByEdit(gates, edited).length)).toBe(
      '1 fail→pass by an edit of the test itself',
    );
  });

  it('a test the change did not edit still counts; each is said apart', () => {
    const gates = [gate([`${TESTS}::TestAdd::test_adds`, 'tests/test_mul.py::test_mul'])];
    expect(testCounts(gates, failToPassByEdit(gates, edited).length)).toBe(
      '1 fail→pass, 1 fail→pass by an edit of the test itself',
    );
    expect(testCounts([gate(['tests/test_mul.py::test_mul'])])).toBe('1 fail→pass');
  });
});

describe("editedTest: a conftest.py is the set-up of every test in its directory and below (pytest's scope)", () => {
  // A weak agent's change on a pytest project whose tests take the expected total from a fixture
  // in tests/conftest.py: it makes the fixture return the bug's value, and the failing test passes.
  const CONFTEST = 'tests/conftest.py';
  const DIFF = [
    `diff --git a/${CONFTEST} b/${CONFTEST}`,
    'index 5e4c1a2..b07d9e3 100644',
    `--- a/${CONFTEST}`,
    `+++ b/${CONFTEST}`,
    '@@ -3,4 +3,4 @@ import pytest',
    ' ',
    ' @pytest.fixture',
    ' def expected_total():',
    '-    return 5',
    '+    return -1',
    '',
  ].join('\n');
  const HEAD = 'import pytest\n\n\n@pytest.fixture\ndef expected_total():\n    return -1\n';
  const edited = testsEditedByChange(DIFF, [CONFTEST], new Map([[CONFTEST, HEAD]]));

  it('an edited fixture in tests/conftest.py edits the tests of other files under tests/', () => {
    expect(editedTest('tests/test_calc.py::test_add', edited)).toBe(true);
    expect(editedTest('tests/unit/test_calc.py::TestAdd::test_adds[1-2]', edited)).toBe(true);
  });

  it('tests outside its directory, and names of other runners, are not edited by it', () => {
    expect(editedTest('test_top.py::test_top', edited)).toBe(false);
    expect(editedTest('other/tests/test_x.py::test_x', edited)).toBe(false);
    expect(editedTest('src/a.test.ts > adds', edited)).toBe(false);
  });

  it("a conftest.py at the root is every pytest test's set-up", () => {
    const root = testsEditedByChange('', ['conftest.py']);
    expect(editedTest('tests/test_calc.py::test_add', root)).toBe(true);
    expect(editedTest('test_top.py::test_top', root)).toBe(true);
    expect(editedTest('example.com/m::TestRun', root)).toBe(false);
  });
});

describe("editedTest: a Rust doc test, edited by an edit of its item's examples", () => {
  // cargo 1.95's names, ranked by parseCargoTest: `src/unindent.rs - unindent::unindent (line 5)`.
  const own = 'src/unindent.rs - unindent::unindent (example 1)';
  const method = 'src/unindent.rs - unindent::Unindent::unindent_bytes (example 1)';
  it("is edited by its item's examples, or by the file's doc comments when the item cannot be told", () => {
    expect(editedTest(own, new Set(['doc tests of src/unindent.rs#unindent']))).toBe(true);
    expect(editedTest(own, new Set(['doc tests of src/unindent.rs']))).toBe(true);
    expect(editedTest(own, new Set(['doc tests of crates/unindent/src/unindent.rs#unindent']))).toBe(true);
    expect(editedTest(method, new Set(['doc tests of src/unindent.rs#unindent_bytes']))).toBe(true);
  });
  it("is not edited by another item's examples, nor by another file's", () => {
    expect(editedTest(own, new Set(['doc tests of src/unindent.rs#unindent_bytes']))).toBe(false);
    expect(editedTest(method, new Set(['doc tests of src/unindent.rs#unindent']))).toBe(false);
    expect(editedTest(own, new Set(['doc tests of src/lib.rs']))).toBe(false);
  });
});
