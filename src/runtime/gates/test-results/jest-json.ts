import { type TestResults, testResults } from './types.js';

/** The part of jest's `--json` report omk reads. */
interface JestReport {
  testResults?: {
    name?: string;
    status?: string;
    assertionResults?: { ancestorTitles?: string[]; title?: string; status?: string }[];
  }[];
}

/**
 * jest's `--json --outputFile` report: every test with its status, passing ones included. Names
 * are `file > suite › name` like the console parser's, the file relative to `cwd`. A test file
 * that failed to run (a syntax error) counts as one failure of the file. Null when the text is not
 * such a report.
 */
export function parseJestJson(text: string, cwd: string): TestResults | null {
  let report: JestReport;
  try {
    report = JSON.parse(text) as JestReport;
  } catch {
    return null;
  }
  if (typeof report !== 'object' || report === null || !Array.isArray(report.testResults)) return null;
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const file of report.testResults) {
    const path = (file.name ?? '').startsWith(prefix)
      ? (file.name ?? '').slice(prefix.length)
      : (file.name ?? '');
    const assertions = file.assertionResults ?? [];
    if (assertions.length === 0 && file.status === 'failed') failed.push(path);
    for (const test of assertions) {
      const name = `${path} > ${[...(test.ancestorTitles ?? []), test.title ?? ''].join(' › ')}`;
      if (test.status === 'passed') passed.push(name);
      else if (test.status === 'failed') failed.push(name);
      else skipped += 1;
    }
  }
  return testResults('jest', passed, failed, skipped);
}
