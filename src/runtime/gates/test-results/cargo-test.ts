import { plainLines, type TestResults, testResults } from './types.js';

const RESULT = /^test (.+?) \.\.\. (ok|FAILED|ignored)\b/;
/** rustdoc's name for a doc test: `src/lib.rs - path::item (line 12)`, maybe `- compile fail` after. */
const DOC_TEST = /^(.+ - .*?) ?\(line (\d+)\)(.*)$/;

type Outcome = 'ok' | 'FAILED' | 'ignored';

/**
 * libtest's plain output, as `cargo test` prints it: `test path::name ... ok|FAILED|ignored`, for
 * unit, integration and doc tests alike. Null when no such line is found. A doc test is named by
 * its place among its item's examples (`src/lib.rs - add (example 1)`), not by the line rustdoc
 * names: a fix that adds a line above would otherwise rename every doc test below it, and an old
 * failing one would read as a new failure on the head.
 */
export function parseCargoTest(output: string): TestResults | null {
  const results: { name: string; outcome: Outcome }[] = [];
  for (const line of plainLines(output)) {
    const match = RESULT.exec(line.trimEnd());
    if (match === null) continue;
    results.push({ name: match[1] ?? '', outcome: (match[2] ?? 'ok') as Outcome });
  }
  if (results.length === 0) return null;
  const renamed = docTestNames(results.map((result) => result.name));
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const { name, outcome } of results) {
    const named = renamed.get(name) ?? name;
    if (outcome === 'ok') passed.push(named);
    else if (outcome === 'FAILED') failed.push(named);
    else skipped += 1;
  }
  return testResults('cargo-test', passed, failed, skipped);
}

/** Each doc test's name with its line replaced by its rank among the same item's examples. */
function docTestNames(names: readonly string[]): Map<string, string> {
  const byItem = new Map<string, { name: string; line: number; rest: string }[]>();
  for (const name of new Set(names)) {
    const match = DOC_TEST.exec(name);
    if (match === null) continue;
    const item = match[1] ?? '';
    const entries = byItem.get(item) ?? [];
    entries.push({ name, line: Number(match[2]), rest: match[3] ?? '' });
    byItem.set(item, entries);
  }
  const renamed = new Map<string, string>();
  for (const [item, entries] of byItem) {
    entries.sort((a, b) => a.line - b.line);
    entries.forEach((entry, index) => {
      renamed.set(entry.name, `${item}${item.endsWith(' ') ? '' : ' '}(example ${index + 1})${entry.rest}`);
    });
  }
  return renamed;
}
