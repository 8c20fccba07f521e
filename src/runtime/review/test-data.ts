// Expected values kept outside test files: Go's `testdata/` (golden files), jest's and vitest's
// `__snapshots__/`, pytest's `snapshots/` in a test directory. A test that reads one checks what
// it holds, so a change to it is a change to those tests' expectations: a golden file rewritten to
// the bug's output (`go test -update`) makes the failing test pass without a fix, as a rewritten
// assertion would.

import { isTestPath } from './files.js';
import { sharedByDir } from './shared-by-dir.js';

/** What `testsEditedByChange` holds for a directory whose test data the change edits. */
export const TEST_DATA_OF = 'test data of ';

const TEST_DATA_DIRS = new Set(['testdata', '__snapshots__']);

/**
 * The directory holding the test-data directory `path` is under ('' at the root), or null. A
 * `snapshots/` directory (pytest-snapshot's, syrupy's) counts only inside a test directory: the
 * name alone is as often a database's or a backup's.
 */
function testDataDir(path: string): string | null {
  const segments = path.split('/');
  const at = segments
    .slice(0, -1)
    .findIndex((segment) => TEST_DATA_DIRS.has(segment) || (segment === 'snapshots' && isTestPath(path)));
  return at < 0 ? null : segments.slice(0, at).join('/');
}

/**
 * A runner's test is one of the tests of a directory whose test data was edited: at the root,
 * every test; else a test whose file is under that directory (pytest's `tests/test_x.py::test_y`,
 * vitest's and jest's `src/a.test.ts > …`) or whose Go package is named as it
 * (`example.com/m/pkg/wrap::TestX` for `pkg/wrap`; by its last segment, as a module may sit in a
 * subdirectory: a test of a same-named package elsewhere counts too, which costs only a check
 * against the base's source that the test data's own test passes anyway). `testDataEdits` names
 * `test data of <dir>` for each path under a test-data directory, `<dir>` being the directory that
 * holds it (the Go package, the test files beside `__snapshots__`; '' at the repository's root).
 */
const TEST_DATA = sharedByDir(TEST_DATA_OF, testDataDir, readsFrom);
export const testDataEdits = TEST_DATA.edits;
export const testDataEdited = TEST_DATA.edited;
export const testDataRead = TEST_DATA.read;

function readsFrom(name: string, dir: string): boolean {
  const place = name.includes('::') ? (name.split('::')[0] ?? '') : (name.split(/ > | › /)[0] ?? '');
  if (dir === '' || place.startsWith(`${dir}/`)) return true;
  return place.split('/').at(-1) === dir.split('/').at(-1);
}
