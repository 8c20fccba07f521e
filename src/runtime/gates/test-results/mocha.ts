import { plainLines, type TestResults, testResults } from './types.js';

/** mocha's totals: `  12 passing (105ms)`, then `  1 pending` and `  1 failing`. */
const PASSING = /^\s+\d+ passing \(\d+(?:\.\d+)?(?:ms|s|m)\)$/;
const PENDING = /^\s+(\d+) pending$/;
/** npm's banner before a package's script: `> @scope/name@1.0.0 test`. */
const BANNER = /^> (\S+)@\S+ \S/;
/** ` ✔ adds (105ms)`: passed (`✓` in mocha before 7, `√` on Windows); `1) adds`: failed. */
const PASSED = /^(?:✔|✓|√)\s+(.+?)(?:\s+\(\d+ms\))?$/;
const FAILED = /^\d+\)\s+(.+)$/;
const PENDING_TEST = /^-\s+/;

/**
 * mocha's `spec` reporter (its default): suites and tests indented two spaces a level, the tests
 * marked, then the totals and the failures' details (not read: they repeat the names). Names are
 * `suite > test`, after the package's name where npm's banner says which package ran (a monorepo's
 * `npm test --workspaces` runs mocha once per package). Null without mocha's `N passing (…)`.
 */
export function parseMocha(output: string): TestResults | null {
  const lines = plainLines(output);
  if (!lines.some((line) => PASSING.test(line.trimEnd()))) return null;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  let pkg: string | null = null;
  let listing = true;
  let suites: { indent: number; title: string }[] = [];
  for (const raw of lines) {
    const line = raw.trimEnd();
    const banner = BANNER.exec(line);
    if (banner !== null) {
      pkg = banner[1] ?? null;
      listing = true;
      suites = [];
      continue;
    }
    if (PASSING.test(line)) {
      listing = false;
      continue;
    }
    const pending = PENDING.exec(line);
    if (pending !== null && !listing) {
      skipped += Number(pending[1]);
      continue;
    }
    const indent = line.length - line.trimStart().length;
    // Not the listing (the failures' details) or not mocha's (a test's console output).
    if (!listing || indent < 2) continue;
    const text = line.trim();
    suites = suites.filter((suite) => suite.indent < indent);
    const name = (title: string) => [...(pkg ? [pkg] : []), ...suites.map((s) => s.title), title].join(' > ');
    const pass = PASSED.exec(text);
    const fail = pass === null ? FAILED.exec(text) : null;
    if (pass !== null) passed.push(name(pass[1] ?? ''));
    else if (fail !== null) failed.push(name(fail[1] ?? ''));
    else if (!PENDING_TEST.test(text)) suites.push({ indent, title: text });
  }
  return testResults('mocha', passed, failed, skipped);
}
