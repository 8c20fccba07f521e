// The weakened-test check: a change must not make the suite prove less than it did. A test file
// deleted, a test removed, assertions removed without a replacement, or a test skipped is a
// blocking finding for every class of goal, unless the goal itself asks for tests to go. It reads
// the diff only, like the other reviews: names and lines, never the worktree.

import { quoteUntrusted } from '../graph/paths.js';
import type { Finding } from '../proof/schema.js';
import { type DiffFile, type DiffLine, parseDiff } from './diff.js';
import { enclosingTest, fileSides, type Syntax, testsSharing } from './enclosing-test.js';
import { isTestPath } from './files.js';
import { finding, plural, type ReviewInput, sortFindings } from './input.js';
import { jsTestsByLine } from './js-test-scopes.js';
import {
  docTestItemAt,
  docTestsEdited,
  docTestsTurnedOff,
  docText,
  editsDocComments,
} from './rust-doc-tests.js';
import { caseKey, consume, type TableCaseChange, tableCaseChanges } from './table-cases.js';
import { testDataEdits } from './test-data.js';
import { testSetupEdits } from './test-setup.js';

/** `tape('name', fn)` too: tape's export, required as `tape` as often as `test`. */
const JS_DECLARATION =
  /^\s*(?:x?(?:it|test|specify)|tape)(?:\.(?:only|skip|todo|concurrent|each\s*\(.*?\)))?\s*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/;
/** tape's and node:test's subtest, `t.test('name', fn)` (a regular expression's `.test('x')` has no `,`). */
const JS_SUBTEST = /^\s*[A-Za-z_$][\w$]*\.test\s*\(\s*(['"`])((?:\\.|(?!\1).)*)\1\s*,/;
const PY_DECLARATION = /^\s*(?:async\s+)?def\s+(test\w*)\s*\(/;
const GO_DECLARATION = /^func\s+((?:Test|Example)\w*)\s*\(/;
const RUST_TEST_ATTRIBUTE = /^\s*#\[(?:\w+::)*test\b/;
const RUST_FN = /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)/;
const RUST_TEST_MARKER = /#\[(?:\w+::)*test\b|#\[cfg\(test\)\]|\bmod\s+tests?\b/;

/**
 * One line that checks something: expect(...), assert..., assert_eq!, t.Error, require.X(...), ava's
 * t.is(...), tape's and node-tap's t.equal(...) / t.same(...) (st. in a subtest; st['throws'](...)).
 */
const ASSERTION =
  /\bexpect\s*\(|\bassert\w*\s*!?\s*\(|\bassert\s*\.|^\s*assert\s+\S|\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(|\brequire\.\w+\s*\(|\.should\b|\bt\.(?:is|not|deepEqual|notDeepEqual|like|true|false|truthy|falsy|throws|throwsAsync|notThrows|notThrowsAsync|regex|notRegex|snapshot)\s*\(|\bs?t(?:\.|\[\s*['"](?=\w+['"]\s*\]))(?:ok|notOk|equals?|isEqual|strictEqual|notEqual|notStrictEqual|deepEqual|deepLooseEqual|looseEqual|notDeepEqual|same|notSame|strictSame|match|doesNotMatch|throws|doesNotThrow|error|ifError|rejects|doesNotReject)(?:['"]\s*\])?\s*\(/;

/** A line that turns a test off (or, with `.only`, every other test). */
const SKIP = [
  // tape 5's `test.skip('x', fn)` prints nothing at all, and `.only` hides every other test.
  /^\s*(?:it|test|tape|describe|context|suite|specify)\.(?:skip|todo|only)\s*\(/,
  /^\s*x(?:it|test|describe|context|specify)\s*\(/,
  // tape's and node:test's options: `test('name', { skip: true }, fn)`, `{ todo: 'later' }`.
  /^\s*(?:it|test|tape|describe|suite|[A-Za-z_$][\w$]*\.test)\s*\(\s*(['"`])(?:\\.|(?!\1).)*\1\s*,\s*\{[^}]*\b(?:skip|todo)\s*:\s*(?!false\b)/,
  // From inside the test: mocha's `this.skip()`, node:test's `t.skip()` / `t.todo()` (tape's marks an assertion skipped).
  /^\s*(?:this|s?t)\.(?:skip|todo)\s*\(/,
  /^\s*@pytest\.mark\.(?:skip|skipif|xfail)\b/,
  /^\s*@unittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b/,
  /\bpytest\.skip\s*\(/,
  /\bself\.skipTest\s*\(/,
  /\bt\.Skip(?:f|Now)?\s*\(/,
  /^\s*#\[ignore\b/,
];

/**
 * A JS test printing a line of TAP's own (`console.log('# SKIP x')`, `'ok 7 …'`, `'1..3'`): tape's
 * output is TAP with each test a `# name` line, so such a line reads as a test header or result
 * (gates/test-results/tap.ts tells some apart, not a plain `# name`, which is `t.comment`'s line).
 */
const PRINTS_TAP =
  /\b(?:console\.(?:log|info|warn|error|debug)|process\.std(?:out|err)\.write)\s*\(\s*(['"`])(?:#\s|(?:not\s+)?ok\s+\d|\d+\.\.\d|TAP version)/;

/** A test file of tape's or node-tap's (`require('tape')`, `from 'tap'`): its output is TAP. */
const USES_TAP_LIBRARY = /\b(?:require\s*\(\s*|from\s+|import\s+)(['"])(?:tape|tap)(?:\/[^'"]*)?\1/;

/**
 * Whether a line the test prints can be read as TAP: in a tape or node-tap file, or one whose text
 * at the head is unknown. A vitest, jest or mocha file's `console.log('# heading')` is its own.
 */
const printsIntoTap = (head: string | undefined): boolean =>
  head === undefined || USES_TAP_LIBRARY.test(head);

/** "remove the obsolete tests", "delete the flaky test", "drop the v1 specs". */
const ASKS_TO_REMOVE_TESTS =
  /\b(?:remove|delete|drop|disable|skip|retire)\s+(?:(?!(?:and|or|then|but)\b)[\w'"`/.-]+\s+){0,4}?(?:tests?|specs?|assertions?)\b/i;

const NAMES_SHOWN = 5;

type Language = 'js' | 'python' | 'go' | 'rust' | null;

interface FileTests {
  file: DiffFile;
  removed: string[];
  added: string[];
  /** Assertion lines removed and added, and the tests the removed ones were in. */
  assertionsRemoved: number;
  assertionsAdded: number;
  assertionTests: string[];
  /** The items whose doc tests the removed assertions were in (Rust doc comments). */
  assertionDocTests: string[];
  /** `doc` for a Rust doc test (its item, when the diff shows it, as `name`). */
  skips: { name: string | null; line: string; doc?: true }[];
  /** Added lines that print a TAP line of their own, in the test they are in. */
  printsTap: { name: string | null; line: string }[];
}

/** Whether the goal's own words ask for tests to be removed or turned off. */
export function goalAsksToRemoveTests(goalText: string): boolean {
  return ASKS_TO_REMOVE_TESTS.test(goalText);
}

/**
 * Blocking findings (warnings when the goal asks to remove tests) for every test the change
 * removes, weakens or skips. A test that moves to another file (same name added there) is not
 * removed, and its assertions are counted where it went.
 */
export function testsWeakenedReview(input: ReviewInput, goalText: string): Finding[] {
  const known = new Set(input.changedFiles.map((file) => file.path));
  // A Rust file's doc comments hold doc tests even where the file holds no other test.
  const files = parseDiff(input.diff, known).files.flatMap((file) => {
    if (file.binary) return [];
    const head = input.headTexts?.get(file.path);
    if (languageOf(file, head) !== undefined) return [readTests(file, head)];
    return file.path.endsWith('.rs') && editsDocComments(file) ? [readDocTests(file, head)] : [];
  });
  const addedAnywhere = new Set(files.flatMap((entry) => entry.added));
  const tables = new Map(
    files.map((entry) => [entry.file.path, tableChangesOf(entry, input.headTexts?.get(entry.file.path))]),
  );
  const pools = poolMoves(files);
  const severity: Finding['severity'] = goalAsksToRemoveTests(goalText) ? 'warning' : 'blocking';
  const remedy =
    severity === 'blocking'
      ? 'restore it, or strengthen the test instead: a weakened test proves nothing.'
      : 'the goal asks to remove tests, so this does not block; check it is the test the goal meant.';
  const findings: Finding[] = [];
  for (const entry of files) {
    const path = entry.file.path;
    const where = quoteUntrusted(path);
    const gone = entry.removed.filter((name) => !addedAnywhere.has(name));
    const renamed = entry.added.filter((name) => !entry.removed.includes(name)).length;
    if (entry.file.status === 'deleted') {
      if (gone.length > 0 || (entry.removed.length === 0 && entry.assertionsRemoved > 0)) {
        const what = gone.length > 0 ? ` with ${describeNames(gone)}` : '';
        findings.push(
          finding('controller', severity, `Test file ${where} deleted${what}; ${remedy}`, [path]),
        );
        continue;
      }
    }
    if (gone.length > renamed) {
      findings.push(
        finding(
          'controller',
          severity,
          `${gone.length === 1 ? 'Test' : 'Tests'} ${describeNames(gone)} removed from ${where} without a replacement; ${remedy}`,
          [path],
        ),
      );
    }
    const pool = pools.get(path) ?? [entry];
    const removed = pool.reduce((sum, member) => sum + member.assertionsRemoved, 0);
    const added = pool.reduce((sum, member) => sum + member.assertionsAdded, 0);
    if (entry.assertionsRemoved > 0 && removed > added) {
      const lost = Math.min(removed - added, entry.assertionsRemoved);
      const inTests = assertionsIn(entry);
      findings.push(
        finding(
          'controller',
          severity,
          `${plural(lost, 'assertion')} removed from ${where}${inTests} without a replacement; ${remedy}`,
          [path],
        ),
      );
    }
    findings.push(...tableCaseFindings(entry, tables, gone, severity, remedy));
    for (const skip of entry.skips) {
      const name = skipped(skip);
      findings.push(
        finding(
          'controller',
          severity,
          `${name.charAt(0).toUpperCase()}${name.slice(1)} turned off in ${where} (${quoteUntrusted(skip.line.trim())} added); ${remedy}`,
          [path],
        ),
      );
    }
    for (const printed of entry.printsTap) {
      const name = printed.name === null ? 'A test' : `Test ${quoteUntrusted(printed.name)}`;
      // Blocking whatever the goal says: no goal asks for a test's results to be read wrong.
      findings.push(
        finding(
          'controller',
          'blocking',
          `${name} in ${where} prints a line of TAP's own (${quoteUntrusted(printed.line.trim())} added): ` +
            "tape's output reads it as a test's header or result, so the run's per-test results are not the test's; " +
            'print it without a leading `# `, `ok N`, `not ok N` or plan.',
          [path],
        ),
      );
    }
  }
  return sortFindings(findings);
}

/** ` (in "adds", the doc test of "add")`: the tests the removed assertions were in, if known. */
function assertionsIn(entry: FileTests): string {
  const tests = entry.assertionTests.length > 0 ? [describeNames(entry.assertionTests)] : [];
  const docs = [...new Set(entry.assertionDocTests)];
  if (docs.length > 0) {
    tests.push(`the doc ${docs.length === 1 ? 'test' : 'tests'} of ${describeNames(docs)}`);
  }
  return tests.length > 0 ? ` (in ${tests.join(', ')})` : '';
}

const ROWS_SHOWN = 3;

/** The table cases of a JS or Python test file the change edits, read with the head's text. */
function tableChangesOf(entry: FileTests, head: string | undefined): TableCaseChange[] {
  const language = languageOf(entry.file, head);
  if ((language !== 'js' && language !== 'python') || entry.file.status === 'deleted') return [];
  const declaredAt = (lines: readonly string[], index: number) => declaration(language, lines[index] ?? '');
  return tableCaseChanges(entry.file, language, head, declaredAt) ?? [];
}

/**
 * A table-driven test's cases (an `it.each` table's rows, a `@pytest.mark.parametrize` decorator's)
 * removed with no row added in their place: tests removed (blocking, as a removed test is). Rows
 * removed and others added: cases whose inputs or expectation changed, a warning (an expectation
 * rewritten to the bug passes without a fix; fail-to-pass counts that test as edited).
 */
function tableCaseFindings(
  entry: FileTests,
  tables: ReadonlyMap<string, readonly TableCaseChange[]>,
  gone: readonly string[],
  severity: Finding['severity'],
  remedy: string,
): Finding[] {
  const changes = (tables.get(entry.file.path) ?? []).flatMap((change) => {
    // A case moved to another file's table of the same test is not removed.
    const elsewhere = [...tables]
      .filter(([path]) => path !== entry.file.path)
      .flatMap(([, other]) =>
        other.filter((o) => o.test === change.test).flatMap((o) => o.added.map(caseKey)),
      );
    const removed = change.removed.filter((row) => !consume(elsewhere, caseKey(row)));
    return removed.length > 0 ? [{ ...change, removed }] : [];
  });
  const path = entry.file.path;
  const where = quoteUntrusted(path);
  const rows = (list: readonly string[]) =>
    list
      .slice(0, ROWS_SHOWN)
      .map((row) => quoteUntrusted(row))
      .join(', ') + (list.length > ROWS_SHOWN ? ` and ${list.length - ROWS_SHOWN} more` : '');
  return changes
    .filter((change) => !gone.includes(change.test))
    .map((change) => {
      const test = quoteUntrusted(change.test);
      const lost = change.removed.length - change.added.length;
      if (lost > 0) {
        return finding(
          'controller',
          severity,
          `${plural(lost, 'case')} of test ${test} removed from its table in ${where} without a replacement (${rows(change.removed)} removed); ${remedy}`,
          [path],
        );
      }
      return finding(
        'controller',
        'warning',
        `${plural(change.removed.length, 'case')} of test ${test} rewritten in its table in ${where} (${rows(change.removed)} now ${rows(change.added)}): ` +
          'a case whose expectation changed may pass by expecting what the code does rather than a fix; check the goal means to change it.',
        [path],
      );
    });
}

/**
 * A line that may stand between two tests as well as inside one: blank, closing brackets only, or a
 * decorator or attribute (`@pytest.mark…`, `#[test]`) of the test declared after it. A test added
 * right after another (a regression test beside the one the fix makes pass) adds such lines while
 * the hunk still reads as inside the one before, which it does not edit.
 */
const BETWEEN_TESTS = /^\s*(?:[)\]};,]*|@.*|#\[.*)\s*$/;

/**
 * What `testsEditedByChange` holds for a Rust file whose doc tests the change edits: `doc tests of
 * src/lib.rs#add` for the examples documenting `add`, `doc tests of src/lib.rs` for all of the file's.
 */
export const DOC_TESTS_OF = 'doc tests of ';

/**
 * The tests whose own lines the change edits (a line removed or added inside a test's body), and
 * `doc tests of <file>` for a Rust file whose doc comments it edits (rustdoc names a doc test by its
 * file and item, and the item may be out of the hunk). A test that failed on the base and passes on
 * the head shows a fix only when what it checks is the base's: an edited test may pass by its new
 * expectation. With `head` (the head's text of the changed files) a changed line's test is read
 * from the whole file, so a test nested in a describe, a class or `mod tests` is found however far
 * above the edit it is declared; the hunks (their lines and `@@` heading) are read as well.
 */
export function testsEditedByChange(
  diff: string,
  changedPaths: readonly string[],
  head: ReadonlyMap<string, string> = new Map(),
): Set<string> {
  const parsed = parseDiff(diff, new Set(changedPaths)).files.filter((file) => !file.binary);
  const files = parsed.filter((file) => languageOf(file, head.get(file.path)) !== undefined);
  // A golden file or a snapshot is its tests' expectation: editing it edits them (test-data.ts).
  const edited = new Set<string>(testDataEdits(changedPaths));
  // A conftest.py's fixtures are its directory's tests' set-up: editing it edits them (test-setup.ts).
  for (const setup of testSetupEdits(changedPaths)) edited.add(setup);
  // A Rust doc comment's examples are doc tests: an example's lines changed, its item's doc tests
  // may check anything (rustdoc names them by item and line, not by which example).
  for (const file of parsed) {
    if (!file.path.endsWith('.rs')) continue;
    for (const item of docTestsEdited(file, fileSides(file, head.get(file.path)))) {
      edited.add(`${DOC_TESTS_OF}${file.path}${item === null ? '' : `#${item}`}`);
    }
  }
  for (const file of files) {
    const language = languageOf(file, head.get(file.path)) ?? null;
    for (const name of editedInFile(file, language, head.get(file.path))) edited.add(name);
    for (const [at, hunk] of file.hunks.entries()) {
      // The hunk may start inside a test whose declaration is above it: git names that in the heading.
      const heading = headingName(language, file.headings?.[at] ?? '', file.path);
      for (const kind of ['removed', 'added'] as const) {
        const side = hunk.filter((line) => line.kind === kind || line.kind === 'context');
        let current: string | null = heading;
        for (const [index, line] of side.entries()) {
          // A Python def or class that declares no test ends the one the heading named.
          const ends = language === 'python' && PY_BLOCK.test(line.text);
          current = nameAt(language, side, index) ?? (ends ? null : current);
          if (line.kind === kind && current !== null && !BETWEEN_TESTS.test(line.text)) edited.add(current);
        }
      }
    }
  }
  return edited;
}

/**
 * The tests enclosing the file's changed lines, read from both sides of the whole file. A JS file
 * is read by its brackets (js-test-scopes.ts): a table's rows, a wrapped name, a body at column 0.
 * A changed line no test encloses, in a JS or Python file, is shared by tests (a set-up hook, a
 * fixture, a value they read): it counts for every test of its describe or class, else of its file.
 */
function editedInFile(file: DiffFile, language: Language, head: string | undefined): string[] {
  const sides = language === null ? null : fileSides(file, head);
  if (sides === null) return [];
  const syntax = syntaxOf(language);
  const declaredAt = (lines: readonly string[], index: number) =>
    testDeclaredAt(language, lines, index, file.path);
  const js = language === 'js' ? { old: jsTestsByLine(sides.old), new: jsTestsByLine(sides.new) } : null;
  const names: string[] = [];
  for (const line of file.hunks.flat()) {
    // A blank or closing line may stand between two tests; a decorator is read as its test's.
    if (line.kind === 'context' || /^\s*[)\]};,]*\s*$/.test(line.text)) continue;
    const side = line.kind === 'added' ? 'new' : 'old';
    const number = line.kind === 'added' ? line.newLine : line.oldLine;
    if (number === null) continue;
    if (js !== null) {
      names.push(...(js[side][number - 1] ?? []));
      continue;
    }
    const lines = sides[side];
    const name = enclosingTest(lines, number - 1, declaredAt, syntax);
    if (name !== null) names.push(name);
    else if (language === 'python' && !PY_SHARED_BY_NONE.test(line.text)) {
      names.push(...testsSharing(lines, number - 1, declaredAt, syntax));
    }
  }
  return names;
}

function syntaxOf(language: Language): Syntax {
  return language === 'python'
    ? { comment: /^\s*#/, decorator: /^\s*@/ }
    : { comment: /^\s*(?:\/\/|\/\*|\*)/, decorator: language === 'rust' ? /^\s*#\[/ : null };
}

/**
 * Which test each of the base's lines is in, read from the whole base file (rebuilt from the head's
 * and the hunks): a long test's removed assertion is shown in a hunk far below its declaration, and
 * git's `@@` heading names the describe, class or module around it, not the test. Null when the
 * head's file is not at hand or the hunks do not fit it.
 */
function baseTestAt(
  file: DiffFile,
  language: Language,
  head: string | undefined,
): ((oldLine: number) => readonly string[]) | null {
  if (language === null) return null;
  const sides = fileSides(file, head);
  if (sides === null) return null;
  if (language === 'js') {
    const byLine = jsTestsByLine(sides.old);
    return (oldLine) => byLine[oldLine - 1] ?? [];
  }
  const syntax = syntaxOf(language);
  const declaredAt = (lines: readonly string[], index: number) =>
    testDeclaredAt(language, lines, index, file.path);
  return (oldLine) => {
    const name = enclosingTest(sides.old, oldLine - 1, declaredAt, syntax);
    return name === null ? [] : [name];
  };
}

const PY_BLOCK = /^\s*(?:async\s+def|def|class)\s/;

/** A Python line that no test shares: an import, a comment. */
const PY_SHARED_BY_NONE = /^\s*(?:import\s|from\s+\S+\s+import\b|#)/;

/**
 * The test declared at this line of a whole file: for Rust, a fn under a test attribute, or any fn
 * of a test file (as the `@@` heading is read: there a helper's edit changes what its tests check).
 */
function testDeclaredAt(
  language: Language,
  lines: readonly string[],
  index: number,
  path: string,
): string | null {
  const text = lines[index] ?? '';
  if (language !== 'rust') return declaration(language, text);
  const fn = RUST_FN.exec(text)?.[1];
  if (fn === undefined) return null;
  if (isTestPath(path)) return fn;
  for (let above = index - 1; above >= 0 && above >= index - 8; above--) {
    const line = lines[above] ?? '';
    if (RUST_TEST_ATTRIBUTE.test(line)) return fn;
    if (!/^\s*(?:#\[|\/\/)/.test(line)) break;
  }
  return null;
}

function isAssertion(text: string): boolean {
  return ASSERTION.test(text);
}

/**
 * undefined: not a file this check reads (a non-test file, other than Rust with inline tests: as the
 * hunks show them, or the head's whole file when given).
 */
function languageOf(file: DiffFile, head?: string): Language | undefined {
  const path = file.path;
  if (path.endsWith('.rs')) {
    const marked =
      file.hunks.some((hunk) => hunk.some((line) => RUST_TEST_MARKER.test(line.text))) ||
      (head !== undefined && RUST_TEST_MARKER.test(head));
    return marked || isTestPath(path) ? 'rust' : undefined;
  }
  if (!isTestPath(path)) return undefined;
  if (/\.(?:[cm]?[jt]sx?)$/.test(path)) return 'js';
  if (path.endsWith('.py')) return 'python';
  if (path.endsWith('.go')) return 'go';
  return null;
}

function declaration(language: Language, text: string): string | null {
  switch (language) {
    case 'js':
      return jsDeclaration(text);
    case 'python':
      return PY_DECLARATION.exec(text)?.[1] ?? null;
    case 'go':
      return GO_DECLARATION.exec(text)?.[1] ?? null;
    default:
      return null;
  }
}

/** What a skip turned off, as a finding names it: `test "adds"`, `the doc test of "add"`, `a test`. */
function skipped(skip: FileTests['skips'][number]): string {
  if (skip.doc === true)
    return skip.name === null ? 'a doc test' : `the doc test of ${quoteUntrusted(skip.name)}`;
  return skip.name === null ? 'a test' : `test ${quoteUntrusted(skip.name)}`;
}

/** The doc tests of a Rust file that holds no other test: assertions in its doc comments, fences turned off. */
function readDocTests(file: DiffFile, head: string | undefined): FileTests {
  const lines = file.hunks.flat();
  const assertions = (kind: DiffLine['kind']) =>
    lines.filter((line) => line.kind === kind && isAssertion(docText(line.text) ?? ''));
  return {
    file,
    removed: [],
    added: [],
    assertionsRemoved: assertions('removed').length,
    assertionsAdded: assertions('added').length,
    assertionTests: [],
    assertionDocTests: docTestsOf(file, assertions('removed'), head),
    skips: docSkips(file),
    printsTap: [],
  };
}

/** The items whose doc tests held these removed lines, read from the base's whole file. */
function docTestsOf(file: DiffFile, removed: readonly DiffLine[], head: string | undefined): string[] {
  const sides = removed.length === 0 ? null : fileSides(file, head);
  if (sides === null) return [];
  return removed.flatMap((line) => {
    const item = line.oldLine === null ? null : docTestItemAt(sides.old, line.oldLine - 1);
    return item === null ? [] : [item];
  });
}

function docSkips(file: DiffFile): FileTests['skips'] {
  return docTestsTurnedOff(file).map(({ line, item }) => ({ name: item, line, doc: true }));
}

function readTests(file: DiffFile, head: string | undefined): FileTests {
  const language = languageOf(file, head) ?? null;
  const inBase = baseTestAt(file, language, head);
  const tapOutput = printsIntoTap(head);
  const entry: FileTests = {
    file,
    removed: [],
    added: [],
    assertionsRemoved: 0,
    assertionsAdded: 0,
    assertionTests: [],
    assertionDocTests: [],
    skips: [],
    printsTap: [],
  };
  const removedText = new Set<string>();
  for (const hunk of file.hunks) {
    for (const line of hunk) if (line.kind === 'removed') removedText.add(line.text.trim());
  }
  for (const [at, hunk] of file.hunks.entries()) {
    const oldSide = hunk.filter((line) => line.kind !== 'added');
    const newSide = hunk.filter((line) => line.kind !== 'removed');
    entry.removed.push(...declaredOn(language, oldSide, 'removed'));
    entry.added.push(...declaredOn(language, newSide, 'added'));
    // Without the whole file, the hunk's own lines, then its `@@` heading, may name the test.
    let current: string | null = headingName(language, file.headings?.[at] ?? '', file.path);
    for (const [index, line] of oldSide.entries()) {
      current = nameAt(language, oldSide, index) ?? current;
      if (line.kind !== 'removed' || !isAssertion(line.text)) continue;
      if (language === 'rust' && docText(line.text) !== null) {
        entry.assertionsRemoved++;
        entry.assertionDocTests.push(...docTestsOf(file, [line], head));
        continue;
      }
      const whole = line.oldLine === null || inBase === null ? [] : inBase(line.oldLine);
      // A module's own `assert!` outside its `mod tests` checks the program, not a test.
      if (whole.length === 0 && inBase !== null && language === 'rust' && !isTestPath(file.path)) continue;
      entry.assertionsRemoved++;
      if (whole.length > 0) entry.assertionTests.push(...whole);
      else if (current !== null) entry.assertionTests.push(current);
    }
    for (const [index, line] of newSide.entries()) {
      if (line.kind !== 'added') continue;
      if (isAssertion(line.text)) entry.assertionsAdded++;
      if (SKIP.some((pattern) => pattern.test(line.text)) && !removedText.has(line.text.trim())) {
        entry.skips.push({ name: skippedName(language, newSide, index), line: line.text });
      }
      if (
        language === 'js' &&
        tapOutput &&
        PRINTS_TAP.test(line.text) &&
        !removedText.has(line.text.trim())
      ) {
        entry.printsTap.push({ name: skippedName(language, newSide, index), line: line.text });
      }
    }
  }
  if (language === 'rust') entry.skips.push(...docSkips(file));
  return entry;
}

/** The tests whose declaration line (or Rust #[test] attribute) is of `kind` on this side. */
function declaredOn(language: Language, side: readonly DiffLine[], kind: DiffLine['kind']): string[] {
  const names: string[] = [];
  for (const [index, line] of side.entries()) {
    if (line.kind !== kind) continue;
    if (language === 'rust') {
      if (RUST_TEST_ATTRIBUTE.test(line.text)) names.push(nextRustFn(side, index) ?? '#[test] function');
      continue;
    }
    const name = declaration(language, line.text);
    if (name !== null) names.push(name);
  }
  return names;
}

/** The test declared at this line, if any (for Rust: the fn under a #[test] attribute). */
function jsDeclaration(text: string): string | null {
  return (JS_DECLARATION.exec(text) ?? JS_SUBTEST.exec(text))?.[2] ?? null;
}

function nameAt(language: Language, side: readonly DiffLine[], index: number): string | null {
  const text = side[index]?.text ?? '';
  if (language !== 'rust') return declaration(language, text);
  const fn = RUST_FN.exec(text)?.[1];
  if (fn === undefined) return null;
  const before = side.slice(Math.max(0, index - 3), index);
  return before.some((line) => RUST_TEST_ATTRIBUTE.test(line.text)) ? fn : null;
}

/**
 * The test a hunk's heading declares, if it declares one: a Go, Python or JS test, or a fn of a
 * Rust test file (in src/, the heading is as likely the function under test: its fix edits no test).
 */
function headingName(language: Language | null, heading: string, path: string): string | null {
  if (language === null || heading === '') return null;
  if (language !== 'rust') return declaration(language, heading);
  return isTestPath(path) ? (RUST_FN.exec(heading)?.[1] ?? null) : null;
}

function nextRustFn(side: readonly DiffLine[], index: number): string | null {
  for (const line of side.slice(index + 1, index + 4)) {
    const fn = RUST_FN.exec(line.text)?.[1];
    if (fn !== undefined) return fn;
  }
  return null;
}

/** A skip names its test on the same line, on the next one (decorators) or encloses it. */
function skippedName(language: Language, side: readonly DiffLine[], index: number): string | null {
  const line = side[index]?.text ?? '';
  const own = jsDeclaration(line);
  if (own !== null) return own;
  if (/^\s*(?:@|#\[)/.test(line)) {
    for (const next of side.slice(index + 1, index + 4)) {
      const name = language === 'rust' ? RUST_FN.exec(next.text)?.[1] : declaration(language, next.text);
      if (name !== undefined && name !== null) return name;
    }
    return null;
  }
  for (let i = index; i >= 0; i--) {
    const name = nameAt(language, side, i);
    if (name !== null) return name;
  }
  return null;
}

/** Files a test moved between (removed here, added there) share one assertion count. */
function poolMoves(files: readonly FileTests[]): Map<string, FileTests[]> {
  const parent = new Map<string, string>();
  const find = (path: string): string => {
    let root = path;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root) ?? root;
    return root;
  };
  for (const entry of files) parent.set(entry.file.path, entry.file.path);
  for (const from of files) {
    for (const to of files) {
      if (from === to) continue;
      if (from.removed.some((name) => to.added.includes(name))) {
        parent.set(find(from.file.path), find(to.file.path));
      }
    }
  }
  const pools = new Map<string, FileTests[]>();
  for (const entry of files) {
    const root = find(entry.file.path);
    pools.set(root, [...(pools.get(root) ?? []), entry]);
  }
  return new Map(files.map((entry) => [entry.file.path, pools.get(find(entry.file.path)) ?? [entry]]));
}

function describeNames(names: readonly string[]): string {
  const distinct = [...new Set(names)];
  const shown = distinct.slice(0, NAMES_SHOWN).map((name) => quoteUntrusted(name));
  const more = distinct.length > NAMES_SHOWN ? ` and ${distinct.length - NAMES_SHOWN} more` : '';
  return `${shown.join(', ')}${more}`;
}
