import { plainLines, type TestResults, testResults } from './types.js';

/** A verbose reporter's test line: ` ✓ src/a.test.ts > math > adds 1ms`. */
const TEST = /^\s*(✓|√|×|✗)\s+(\S+\.[cm]?[jt]sx? > .+?)(?:\s+\d+(?:\.\d+)?m?s)?$/;
/** The failure headings: ` FAIL  src/b.test.ts > math > subtracts`. */
const FAIL = /^\s*FAIL\s+(.+?)\s*$/;
/** `      Tests  1 failed | 2 passed | 1 skipped (4)`. */
const TOTALS = /^\s*Tests\s+.*?(\d+) skipped/;

/**
 * vitest's default and verbose console reporters. Failing tests are always named (`FAIL  file >
 * suite > name`); passing ones only by the verbose reporter (the default one lists a file's tests
 * without their suites, or not at all, so those lines are not read). Names are `file > suite >
 * name`. Null without vitest's `Test Files` summary.
 */
export function parseVitest(output: string): TestResults | null {
  const lines = plainLines(output);
  if (!lines.some((line) => /^\s*Test Files\s+\d/.test(line))) return null;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const raw of lines) {
    const line = raw.trimEnd();
    const totals = TOTALS.exec(line);
    if (totals !== null) {
      skipped = Number(totals[1]);
      continue;
    }
    const fail = FAIL.exec(line);
    if (fail !== null) {
      // ` FAIL  src/b.test.ts [ src/b.test.ts ]`: the file itself failed (it did not load).
      const text = (fail[1] ?? '').replace(/\s+\[ .* \]$/, '');
      failed.push(text);
      continue;
    }
    const test = TEST.exec(line);
    if (test === null) continue;
    const name = test[2] ?? '';
    if (test[1] === '✓' || test[1] === '√') passed.push(name);
    else failed.push(name);
  }
  return testResults('vitest', passed, failed, skipped);
}
