import { plainLines, type TestResults, testResults } from './types.js';

type Outcome = 'PASSED' | 'FAILED' | 'ERROR' | 'SKIPPED' | 'XFAIL' | 'XPASS';

/** `-v`: `tests/test_x.py::test_y PASSED   [ 50%]`. */
const VERBOSE =
  /^(\S+?\.py::.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?:\s+\(.*\))?(?:\s+\[\s*\d+%\])?$/;
/** `-r` short summary: `FAILED tests/test_x.py::test_y - AssertionError: ...`, `ERROR tests/test_x.py`. */
const SUMMARY = /^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+?\.py(?:::.+?)?)(?: - .*)?$/;
/** The last line: `==== 1 failed, 2 passed, 1 skipped in 0.03s ====`. */
const TOTALS = /^=+ (.*\d+ (?:passed|failed|skipped|errors?|deselected|xfailed|xpassed).*) in [\d.]+s.* =+$/;

/**
 * pytest's console output: `-v` result lines and the `-rA` short summary (`PASSED`/`FAILED`/`ERROR`
 * with `path::name`). A collection error (`ERROR tests/test_x.py`) counts as a failed entry named
 * after the file. xfail counts as skipped, xpass as passed. Null when no such line is found.
 */
export function parsePytest(output: string): TestResults | null {
  const passed: string[] = [];
  const failed: string[] = [];
  let skippedLines = 0;
  let skippedTotal: number | null = null;
  let found = false;
  const add = (outcome: Outcome, name: string) => {
    found = true;
    if (outcome === 'PASSED' || outcome === 'XPASS') passed.push(name);
    else if (outcome === 'FAILED' || outcome === 'ERROR') failed.push(name);
    else skippedLines += 1;
  };
  for (const raw of plainLines(output)) {
    const line = raw.trimEnd();
    const verbose = VERBOSE.exec(line);
    if (verbose !== null) {
      add(verbose[2] as Outcome, verbose[1] ?? '');
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (summary !== null) {
      add(summary[1] as Outcome, summary[2] ?? '');
      continue;
    }
    const totals = TOTALS.exec(line);
    if (totals !== null) {
      const counts = totals[1] ?? '';
      const skipped = /(\d+) skipped/.exec(counts);
      const xfailed = /(\d+) xfailed/.exec(counts);
      skippedTotal = Number(skipped?.[1] ?? 0) + Number(xfailed?.[1] ?? 0);
    }
  }
  if (!found) return null;
  return testResults('pytest', passed, failed, skippedTotal ?? skippedLines);
}
