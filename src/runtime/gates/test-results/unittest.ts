import { plainLines, type TestResults, testResults } from './types.js';

/** `Ran 9 tests in 0.005s`: the line every unittest run prints, and what marks its output. */
const RAN = /^Ran \d+ tests? in [\d.]+s$/;
/** One `-v` result, `name (id) ... outcome`; python 3.10 may print several on a line (subtests). */
const RESULT = /(\S+) \(([\w.]+)\)(?: \([^)]*\))? \.\.\. ?/g;
/** A `-v` line whose outcome comes on a later line. */
const HEADER = /^(\S+) \(([\w.]+)\)$/;
/** A heading of the failure details: `FAIL: test_x (tests.test_x.C.test_x) (i=2)`. */
const HEADING = /^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S+) \(([\w.]+)\)/;
/** `-v` outcomes: passing, failing, and those unittest counts as skips. */
const PASS = /^ok$/;
const FAIL = /^(?:FAIL|ERROR|unexpected success)$/;
const SKIP = /^(?:skipped\b.*|expected failure)$/;
/** The last line: `FAILED (failures=2, errors=3, skipped=1, expected failures=1)` or `OK (skipped=1)`. */
const TOTALS = /^(?:OK|FAILED) \((.*)\)$/;
/** What unittest reports for a module it could not import. */
const FAILED_IMPORT = 'unittest.loader._FailedTest';

/**
 * A test's id as `python -m unittest <id>` takes it: `tests.test_x.TestK.test_m`. Python 3.11+
 * prints the whole id in the parentheses, 3.10 and older the class alone; a module that failed to
 * import is named by the module (`tests.test_broken`), and a failing `setUpClass` by its class.
 */
function testId(method: string, inParens: string): string {
  if (inParens.startsWith(FAILED_IMPORT)) return method;
  return inParens.endsWith(`.${method}`) ? inParens : `${inParens}.${method}`;
}

/**
 * The standard library's unittest runner (`python -m unittest`): passes from `-v` result lines
 * (`test_x (tests.test_x.TestK.test_x) ... ok`, a docstring's line between the two parts),
 * failures from those and from the `FAIL:` / `ERROR:` headings it prints with or without `-v`
 * (so a plain run names its failing tests, not its passing ones). A failing subtest fails its
 * test; an unexpected success fails as unittest's exit code does; skips and expected failures
 * are skipped. Null unless the output has unittest's `Ran N tests in …s` line.
 */
export function parseUnittest(output: string): TestResults | null {
  const lines = plainLines(output).map((line) => line.trimEnd());
  if (!lines.some((line) => RAN.test(line))) return null;
  const passed: string[] = [];
  const failed: string[] = [];
  let skippedLines = 0;
  let skippedTotal: number | null = null;
  let pending: string | null = null;
  const settle = (name: string, outcome: string): boolean => {
    if (PASS.test(outcome)) passed.push(name);
    else if (FAIL.test(outcome)) failed.push(name);
    else if (SKIP.test(outcome)) skippedLines += 1;
    else return false;
    return true;
  };
  for (const line of lines) {
    const heading = HEADING.exec(line);
    if (heading !== null) {
      failed.push(testId(heading[2] ?? '', heading[3] ?? ''));
      continue;
    }
    const totals = TOTALS.exec(line);
    if (totals !== null) {
      const counts = totals[1] ?? '';
      const skipped = /\bskipped=(\d+)/.exec(counts);
      const expected = /expected failures=(\d+)/.exec(counts);
      skippedTotal = Number(skipped?.[1] ?? 0) + Number(expected?.[1] ?? 0);
      continue;
    }
    const header = HEADER.exec(line);
    if (header !== null) {
      // A test whose outcome comes later: its docstring is printed first, or its subtests.
      pending = testId(header[1] ?? '', header[2] ?? '');
      continue;
    }
    const results = [...line.matchAll(RESULT)];
    if (results.length > 0) {
      for (const result of results) pending = testId(result[1] ?? '', result[2] ?? '');
      const last = results[results.length - 1];
      const outcome = line.slice((last?.index ?? 0) + (last?.[0].length ?? 0));
      if (pending !== null && settle(pending, outcome)) pending = null;
      continue;
    }
    if (pending === null) continue;
    // What ends a pending test's line: a docstring's first line (`Adding zero changes nothing. ...
    // ok`), or the outcome alone after output the test printed.
    const rest = / \.\.\. (.+)$/.exec(line)?.[1] ?? line.trim();
    if (settle(pending, rest)) pending = null;
  }
  return testResults('unittest', passed, failed, skippedTotal ?? skippedLines);
}
