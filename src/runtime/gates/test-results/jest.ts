import { plainLines, type TestResults, testResults } from './types.js';

const FILE = /^(PASS|FAIL)\s+(\S+)/;
/** `    ✓ adds (2 ms)`, `    ✕ subtracts (3 ms)`, `    ○ skipped later`. */
const TEST = /^(\s+)(✓|√|✕|×|○|✎)\s+(.+?)(?:\s+\(\d+(?:\.\d+)?\s*m?s\))?$/;
/** The failure headings: `  ● math › subtracts`. */
const BULLET = /^\s*●\s+(.+?)\s*$/;
const SUITE_FAILED = 'Test suite failed to run';

/**
 * jest's console output (it prints to stderr). Failing tests are always named (`● suite › name`
 * under `FAIL file`); passing ones only when jest lists them (`--verbose`, or a run of one file).
 * Names are `file > suite › name`, whichever of the two printed them. Null without jest's `Tests:`
 * summary.
 */
export function parseJest(output: string): TestResults | null {
  const lines = plainLines(output);
  if (!lines.some((line) => /^Tests:\s+\d/.test(line))) return null;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  let file = '';
  let suites: { indent: number; name: string }[] = [];
  for (const raw of lines) {
    const line = raw.trimEnd();
    const totals = /^Tests:.*?(\d+) (?:skipped|todo)/.exec(line);
    if (totals !== null) {
      skipped = [...line.matchAll(/(\d+) (?:skipped|todo)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      continue;
    }
    const header = FILE.exec(line);
    if (header !== null) {
      file = header[2] ?? '';
      suites = [];
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet !== null) {
      const text = bullet[1] ?? '';
      failed.push(text === SUITE_FAILED ? file : `${file} > ${text}`);
      continue;
    }
    const test = TEST.exec(line);
    if (test !== null) {
      const indent = (test[1] ?? '').length;
      const path = suites.filter((suite) => suite.indent < indent).map((suite) => suite.name);
      const text = (test[3] ?? '').replace(/^(?:skipped|todo) /, '');
      const name = `${file} > ${[...path, text].join(' › ')}`;
      if (test[2] === '○' || test[2] === '✎') continue;
      if (test[2] === '✓' || test[2] === '√') passed.push(name);
      else failed.push(name);
      continue;
    }
    // An indented plain line inside a file's list is a describe block's name.
    const suite = /^(\s+)(\S.*)$/.exec(line);
    if (suite !== null && file !== '') {
      const indent = (suite[1] ?? '').length;
      suites = [...suites.filter((entry) => entry.indent < indent), { indent, name: suite[2] ?? '' }];
    }
  }
  return testResults('jest', passed, failed, skipped);
}
