// Test set-up kept outside the test files: pytest's `conftest.py`. Its fixtures and hooks apply to
// every test in its directory and below, whichever file the test is in, so a change to it is a
// change to those tests: a fixture that returns the expected value (rewritten to the bug's) makes
// a failing test pass without a fix, as a rewritten assertion would.

import { sharedByDir } from './shared-by-dir.js';

/** What `testsEditedByChange` holds for a directory whose `conftest.py` the change edits. */
export const TEST_SETUP_OF = 'test set-up of ';

const CONFTEST = 'conftest.py';

/** The directory a `conftest.py` is in ('' at the root), or null for any other path. */
function setupDir(path: string): string | null {
  const segments = path.split('/');
  return segments.at(-1) === CONFTEST ? segments.slice(0, -1).join('/') : null;
}

/** Whether `path` is test set-up (a `conftest.py`) that tests of other files use. */
export function isTestSetupPath(path: string): boolean {
  return setupDir(path) !== null;
}

/**
 * A runner's test is one of a directory whose `conftest.py` was edited when it is a pytest test
 * (`tests/test_x.py::test_y`): at the root, every pytest test; else one whose file is under it.
 * `testSetupEdits` names `test set-up of <dir>` for each `conftest.py`, `<dir>` being its directory.
 */
const TEST_SETUP = sharedByDir(TEST_SETUP_OF, setupDir, inScope);
export const testSetupEdits = TEST_SETUP.edits;
export const testSetupEdited = TEST_SETUP.edited;
export const testSetupRead = TEST_SETUP.read;

function inScope(name: string, dir: string): boolean {
  if (!name.includes('::')) return false;
  const file = name.split('::')[0] ?? '';
  if (!file.endsWith('.py')) return false;
  return dir === '' || file.startsWith(`${dir}/`);
}
