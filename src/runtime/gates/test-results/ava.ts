import { plainLines, type TestResults, testResults } from './types.js';

/** `✔ file › title (154ms)`, `✔ [expected fail] title`, `✘ [fail]: title message`. */
const RESULT = /^\s*(✔|✘) (\[expected fail\] |\[(?:fail|unexpected pass)\]: )?(.+?)$/;
/** The duration ava appends to a slow passing test: ` (154ms)`, ` (1.2s)`, ` (1m 3s)`. */
const DURATION = /\s+\((?:\d+(?:\.\d+)?(?:ms|s|m|h)\s?)+\)$/;
/** A test file that ended before its tests did: `✘ test/a.js exited with a non-zero exit code: 1`. */
const FILE_EXITED = /^\s*✘ (\S+) exited (?:with a non-zero exit code|due to)\b/;
const SKIPPED = /^\s*- \[(?:skip|todo)\] /;
/** The summary ava ends with: `3 tests passed`, `1 test failed`. */
const SUMMARY = /^\s*\d+ tests? (?:passed|failed)\s*$/;
/** ava's separator between a file and a title when it runs several files. */
const FILE_SEPARATOR = ' › ';

/**
 * ava's default reporter (what `ava` prints in CI and in `xo && ava && tsd`). A failing test's
 * line carries its error message after the title (`✘ [fail]: math › throws Error thrown in test`),
 * so its name is the longest failure heading ava prints below (the title on its own line) that
 * starts the line; a file that exited early counts as a failure of the file. Names are `file >
 * title` when ava runs several files, else the title. Null without ava's summary line.
 */
export function parseAva(output: string): TestResults | null {
  const lines = plainLines(output).map((line) => line.trimEnd());
  if (!lines.some((line) => SUMMARY.test(line)) || !lines.some((line) => RESULT.test(line))) return null;
  const headings = new Set(lines.map((line) => line.trim()).filter((line) => line !== ''));
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const line of lines) {
    if (SKIPPED.test(line)) {
      skipped += 1;
      continue;
    }
    const exited = FILE_EXITED.exec(line);
    if (exited !== null) {
      failed.push(exited[1] ?? '');
      continue;
    }
    const result = RESULT.exec(line);
    if (result === null) continue;
    const [, mark, tag, text = ''] = result;
    if (mark === '✔' && tag === undefined) passed.push(named(text.replace(DURATION, '')));
    else if (mark === '✘' && tag !== undefined) failed.push(named(failedTitle(text, headings)));
    // `✔ [expected fail]`: a test.failing() that still fails, neither a pass nor a regression.
    else if (tag !== undefined) skipped += 1;
  }
  return testResults('ava', passed, failed, skipped);
}

function failedTitle(text: string, headings: ReadonlySet<string>): string {
  for (let title = text; title !== ''; title = title.slice(0, Math.max(0, title.lastIndexOf(' ')))) {
    if (headings.has(title)) return title;
  }
  return text;
}

function named(label: string): string {
  return label.split(FILE_SEPARATOR).join(' > ');
}
