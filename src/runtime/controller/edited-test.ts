// Whether a test a runner names (its per-test results) is one whose own lines the change edited
// (`testsEditedByChange`, which names tests as their declarations do): such a test may pass by
// its new expectation, so its going from failing to passing shows no fix.

import type { GateEvidence } from '../proof/schema.js';
import { testDataEdited } from '../review/test-data.js';
import { testNamed } from '../review/test-names.js';
import { testSetupEdited } from '../review/test-setup.js';
import { DOC_TESTS_OF } from '../review/tests-weakened.js';

/** rustdoc's doc-test name: the file, relative to its crate, and the item: `src/lib.rs - math::add (example 1)`. */
const DOC_TEST_NAME = /^(\S+\.rs) - (.*?) ?\((?:example|line) \d+\)/;

/**
 * Whether the change edited the test's own lines; a doc test's, any doc comment of its file; any
 * test's, the test data of its package or directory (a golden file, a snapshot); a pytest test's,
 * a `conftest.py` of its directory or above.
 */
export function editedTest(name: string, edited: ReadonlySet<string>): boolean {
  if (testDataEdited(name, edited) || testSetupEdited(name, edited)) return true;
  const doc = DOC_TEST_NAME.exec(name);
  if (doc === null) return testNamed(name, edited);
  const file = doc[1] ?? '';
  const item = (doc[2] ?? '').split('::').at(-1) ?? '';
  // The diff's path is the repository's: in a workspace, the crate's directory comes first.
  const ofFile = (path: string) => path === file || path.endsWith(`/${file}`);
  return [...edited].some((entry) => {
    if (!entry.startsWith(DOC_TESTS_OF)) return false;
    const what = entry.slice(DOC_TESTS_OF.length);
    const hash = what.lastIndexOf('#');
    const edit =
      hash < 0 ? { path: what, item: null } : { path: what.slice(0, hash), item: what.slice(hash + 1) };
    return ofFile(edit.path) && (edit.item === null || edit.item === item);
  });
}

/**
 * The gates' fail→pass tests whose own lines the change edited: the fail-to-pass check shows no
 * fix by them, so a slice's line does not count them as fail→pass either.
 */
export function failToPassByEdit(gates: readonly GateEvidence[], edited: ReadonlySet<string>): string[] {
  return gates.flatMap((gate) => gate.tests?.failToPass ?? []).filter((name) => editedTest(name, edited));
}
