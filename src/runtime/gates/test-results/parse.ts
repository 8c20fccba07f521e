import { parseAva } from './ava.js';
import { parseCargoTest } from './cargo-test.js';
import { parseGoTestJson } from './go-test-json.js';
import { parseJest } from './jest.js';
import { parseJunitXml } from './junit-xml.js';
import { parseMocha } from './mocha.js';
import { parsePnpmRecursive } from './pnpm-recursive.js';
import { parsePytest } from './pytest.js';
import { parseTap } from './tap.js';
import type { TestResults } from './types.js';
import { parseUnittest } from './unittest.js';
import { parseVitest } from './vitest.js';

export type { TestResults, TestSource } from './types.js';

/** Console formats, most specific first: each recognises its own markers and returns null otherwise. */
const CONSOLE_PARSERS: readonly ((output: string) => TestResults | null)[] = [
  parseGoTestJson,
  // Before cargo's: a unittest method named `test` prints `test (m.C.test) ... ok`, libtest's shape.
  parseUnittest,
  parseCargoTest,
  parsePytest,
  parseVitest,
  parseJest,
  parseAva,
  parseMocha,
  parseTap,
];

/**
 * A gate run's per-test results: from its console output when a known runner's format is in it,
 * otherwise from the JUnit XML report omk asked for (null when there is none). The console comes
 * first because its names are the ones a developer types (`tests/test_x.py::test_y`); the report
 * covers runs whose console output says nothing usable. Null: judge the run by its exit code.
 */
export function parseTestResults(output: string, junitXml: string | null = null): TestResults | null {
  // `pnpm -r test`: each package's lines behind pnpm's prefix, read package by package.
  const recursive = parsePnpmRecursive(output, parseConsole);
  if (recursive !== undefined) return recursive ?? (junitXml === null ? null : parseJunitXml(junitXml));
  return parseConsole(output) ?? (junitXml === null ? null : parseJunitXml(junitXml));
}

function parseConsole(output: string): TestResults | null {
  for (const parse of CONSOLE_PARSERS) {
    const results = parse(output);
    if (results !== null) return results;
  }
  return null;
}
