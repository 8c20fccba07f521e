// Test set-up kept outside the test files: pytest's `conftest.py`. Its fixtures and hooks apply to
// every test in its directory and below, whichever file the test is in, so a change to it is a
// change to those tests: a fixture that returns the expected value (rewritten to the bug's) makes
// a failing test pass without a fix, as a rewritten assertion would.

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

/** `test set-up of <dir>` for each `conftest.py` among `paths`, `<dir>` being its directory. */
export function testSetupEdits(paths: readonly string[]): string[] {
  const dirs = paths.map(setupDir).filter((dir): dir is string => dir !== null);
  return [...new Set(dirs)].map((dir) => `${TEST_SETUP_OF}${dir}`);
}

/**
 * Whether the runner's test `name` is a pytest test (`tests/test_x.py::test_y`) in a directory
 * whose `conftest.py` was edited: at the root, every pytest test; else one whose file is under it.
 */
export function testSetupEdited(name: string, edited: ReadonlySet<string>): boolean {
  return [...edited].some(
    (entry) => entry.startsWith(TEST_SETUP_OF) && inScope(name, entry.slice(TEST_SETUP_OF.length)),
  );
}

/** The changed `conftest.py` files (of `paths`) whose fixtures the test `name` may use. */
export function testSetupRead(name: string, paths: readonly string[]): string[] {
  return paths.filter((path) => {
    const dir = setupDir(path);
    return dir !== null && inScope(name, dir);
  });
}

function inScope(name: string, dir: string): boolean {
  if (!name.includes('::')) return false;
  const file = name.split('::')[0] ?? '';
  if (!file.endsWith('.py')) return false;
  return dir === '' || file.startsWith(`${dir}/`);
}
