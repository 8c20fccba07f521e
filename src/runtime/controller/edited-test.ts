// Whether a test a runner names (its per-test results) is one whose own lines the change edited
// (`testsEditedByChange`, which names tests as their declarations do): such a test may pass by
// its new expectation, so its going from failing to passing shows no fix.

import { testDataEdited } from '../review/test-data.js';
import { testNamed } from '../review/test-names.js';
import { DOC_TESTS_OF } from '../review/tests-weakened.js';

/** rustdoc's doc-test name starts with the file, relative to its crate: `src/lib.rs - add (example 1)`. */
const DOC_TEST_NAME = /^(\S+\.rs) - /;

/**
 * Whether the change edited the test's own lines; a doc test's, any doc comment of its file; any
 * test's, the test data of its package or directory (a golden file, a snapshot).
 */
export function editedTest(name: string, edited: ReadonlySet<string>): boolean {
  if (testDataEdited(name, edited)) return true;
  const file = DOC_TEST_NAME.exec(name)?.[1];
  if (file === undefined) return testNamed(name, edited);
  // The diff's path is the repository's: in a workspace, the crate's directory comes first.
  return [...edited].some(
    (entry) =>
      entry === `${DOC_TESTS_OF}${file}` || (entry.startsWith(DOC_TESTS_OF) && entry.endsWith(`/${file}`)),
  );
}
