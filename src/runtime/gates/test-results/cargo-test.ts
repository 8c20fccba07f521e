import { plainLines, type TestResults, testResults } from './types.js';

const RESULT = /^test (.+?) \.\.\. (ok|FAILED|ignored)\b/;

/**
 * libtest's plain output, as `cargo test` prints it: `test path::name ... ok|FAILED|ignored`, for
 * unit, integration and doc tests alike. Null when no such line is found.
 */
export function parseCargoTest(output: string): TestResults | null {
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  let found = false;
  for (const line of plainLines(output)) {
    const match = RESULT.exec(line.trimEnd());
    if (match === null) continue;
    found = true;
    const name = match[1] ?? '';
    if (match[2] === 'ok') passed.push(name);
    else if (match[2] === 'FAILED') failed.push(name);
    else skipped += 1;
  }
  return found ? testResults('cargo-test', passed, failed, skipped) : null;
}
