import { comparedShortfall, coverageShortfall, coverageShortfalls } from './coverage-shortfall.js';

/**
 * A line that names what failed beyond the tests: an error's first line (`Error: …`,
 * `TypeError: …`), vitest's `Unhandled Rejection` heading, a coverage threshold not met (vitest's
 * `ERROR: Coverage for lines …`, jest's `coverage threshold for lines (80%) not met`, pytest-cov's
 * `Required test coverage of 90% not reached`, coverage.py's `Coverage failure: total of 37 …`),
 * npm's own failure lines but its `code` and `path` (a directory of this machine). Not code frames, stacks or a summary's `Errors  1 error`.
 */
const FAILURE_LINE =
  /^(?:[\w.]*(?:Error|Exception)\b|ERROR\b|Coverage failure:|Unhandled\b|npm (?:error|ERR!) (?!code |path ))|\bthreshold\b|\bcoverage\b.*\bnot (?:met|reached)\b/;
const LAST_LINES = 3;
const LINE_CHARS = 160;

/**
 * What failed beyond the tests, from the head's output: its last few lines that name a failure
 * (an error, a threshold), else its last few lines, joined by ` | `.
 */
export function beyondTests(tail: string): string {
  const lines = outputLines(tail);
  const failing = lines.filter((line) => FAILURE_LINE.test(line));
  const chosen = (failing.length > 0 ? failing : lines).slice(-LAST_LINES);
  if (chosen.length === 0) return '(the output is empty)';
  return chosen
    .map((line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line))
    .join(' | ');
}

/** An output's lines as read: trimmed, without rules (vitest's `⎯⎯⎯`) or empty lines. */
function outputLines(tail: string): string[] {
  return tail
    .split('\n')
    .map((line) => line.replace(/[⎯─]{2,}/g, '').trim())
    .filter((line) => line !== '');
}

/** What a run whose tests all pass failed on, against the base's run. */
export interface BeyondTests {
  /** The head's last lines that name a failure (beyondTests). */
  lines: string;
  /** Each coverage threshold the head misses, with its figure here and on the base. */
  coverage: string[];
  /** All the head names beyond its tests is thresholds the base misses too, by as much or more. */
  debt: boolean;
  /** A threshold the head misses by more than the base does, or that the base's output does not show missed. */
  worse: boolean;
}

/** npm's own lines on a failing script: they say it failed, not why. */
const NPM_LINE = /^npm (?:error|ERR!) /;

/**
 * What fails beyond the tests on the head, against the base's output: the base's debt only when
 * the head names at least one coverage threshold missed, each one the base misses too with a
 * figure no better, and no other failure the base did not print too (an unhandled error, a
 * `posttest` step's message). A threshold the base meets (or that its output does not show:
 * vitest reports coverage on failing tests only when asked, detect-node.ts asks), a figure that got
 * worse, or a new kind of failure is the change's.
 */
export function judgeBeyondTests(headTail: string, baseTail: string): BeyondTests {
  const baseShortfalls = coverageShortfalls(baseTail);
  const baseLines = new Set(outputLines(baseTail));
  const otherFailure = outputLines(headTail).some(
    (line) =>
      FAILURE_LINE.test(line) &&
      coverageShortfall(line) === null &&
      !NPM_LINE.test(line) &&
      !baseLines.has(line),
  );
  // A threshold printed twice (pytest-cov 5+: coverage's rounded line, then its own) is judged
  // once, by its last line.
  const compared = [...coverageShortfalls(headTail).values()].map((shortfall) =>
    comparedShortfall(shortfall, baseShortfalls),
  );
  const worse = compared.some((one) => !one.debt);
  const coverage = compared.map((one) => one.words);
  return {
    lines: beyondTests(headTail),
    coverage,
    debt: !otherFailure && !worse && coverage.length > 0,
    worse,
  };
}
