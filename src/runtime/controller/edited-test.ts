// Whether a test a runner names (its per-test results) is one whose own lines the change edited
// (`testsEditedByChange`, which names tests as their declarations do): such a test may pass by
// its new expectation, so its going from failing to passing shows no fix.

import { DOC_TESTS_OF } from '../review/tests-weakened.js';

/** rustdoc's doc-test name starts with the file, relative to its crate: `src/lib.rs - add (example 1)`. */
const DOC_TEST_NAME = /^(\S+\.rs) - /;

/** Whether the change edited the test's own lines; a doc test's, any doc comment of its file. */
export function editedTest(name: string, edited: ReadonlySet<string>): boolean {
  const file = DOC_TEST_NAME.exec(name)?.[1];
  if (file === undefined) return testLeaves(name).some((leaf) => edited.has(leaf));
  // The diff's path is the repository's: in a workspace, the crate's directory comes first.
  return [...edited].some(
    (entry) =>
      entry === `${DOC_TESTS_OF}${file}` || (entry.startsWith(DOC_TESTS_OF) && entry.endsWith(`/${file}`)),
  );
}

/** unittest's id, `tests.test_x.TestX.test_y`: dotted python identifiers, the method last. */
const UNITTEST_ID = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;

/**
 * The test's own name as a diff declares it. pytest's `tests/test_x.py::TestX::test_y[1]`,
 * unittest's `tests.test_x.TestX.test_y` and cargo's `tests::y` end in the function; vitest's `file > suite > title` and jest's `file >
 * suite › title` in the title, whole (`leading/trailing`); `go test`'s
 * `example.com/m/pkg::TestY/sub` in the function before its subtest, so a name with a slash is
 * matched by what comes before it too.
 */
function testLeaves(name: string): string[] {
  if (UNITTEST_ID.test(name)) return [name.split('.').at(-1) ?? name];
  const last = name.split('::').at(-1) ?? name;
  const title = (last.split(' > ').at(-1) ?? last).split(' › ').at(-1) ?? last;
  const leaf = title.replace(/\[.*\]$/, '');
  const beforeSlash = leaf.split('/')[0] ?? leaf;
  return beforeSlash === leaf ? [leaf] : [leaf, beforeSlash];
}
