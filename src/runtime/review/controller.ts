// The controller review: is this the change the slice was meant to be, and is it in a state a
// human can review? Size, tests and gate results are advice (info or warning); only scope blocks.

import { preExistingBasis } from '../proof/pre-existing.js';
import { EXIT_CODE_LABEL } from '../proof/render-text.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { parseDiff } from './diff.js';
import { fileSides } from './enclosing-test.js';
import { isSourcePath, isTestPath } from './files.js';
import { finding, plural, type ReviewInput, sortFindings } from './input.js';
import { itemsEdited } from './rust-doc-tests.js';
import { reviewScope } from './scope.js';
import { DOC_TESTS_OF, testsEditedByChange } from './tests-weakened.js';

/** Past these a diff is hard to review as one unit; splitting the slice is the usual remedy. */
export const LARGE_DIFF_LINES = 1000;
export const LARGE_DIFF_FILES = 50;

const PROBLEM_OUTCOMES: ReadonlySet<GateEvidence['outcome']> = new Set(['failed', 'timeout']);

export function controllerReview(input: ReviewInput): Finding[] {
  return sortFindings([
    ...reviewScope(input),
    sizeFinding(input),
    ...testFindings(input),
    ...gateFindings(input),
  ]);
}

function sizeFinding(input: ReviewInput): Finding {
  const files = new Set(input.changedFiles.map((file) => file.path)).size;
  const added = input.changedFiles.reduce((sum, file) => sum + file.additions, 0);
  const deleted = input.changedFiles.reduce((sum, file) => sum + file.deletions, 0);
  const summary = `${plural(files, 'file')} changed, +${added} −${deleted} lines`;
  if (files === 0) return finding('controller', 'info', 'No files changed.', []);
  if (added + deleted > LARGE_DIFF_LINES || files > LARGE_DIFF_FILES) {
    return finding(
      'controller',
      'warning',
      `Large change: ${summary} (over ${LARGE_DIFF_LINES} lines or ${LARGE_DIFF_FILES} files is hard to ` +
        'review as one unit); consider splitting the slice.',
      [],
    );
  }
  return finding('controller', 'info', `Change size: ${summary}.`, []);
}

function testFindings(input: ReviewInput): Finding[] {
  const paths = input.changedFiles.map((file) => file.path);
  // A Rust module holds its unit tests (`#[cfg(test)] mod tests`) and its items' doc tests (the
  // examples in their `///` comments): one whose tests or examples changed is both.
  const inline = paths.filter(
    (path) => path.endsWith('.rs') && !isTestPath(path) && rustTestsEdited(input, path),
  );
  const sources = paths.filter(isSourcePath);
  const tests = [...paths.filter(isTestPath), ...inline];
  // Docs-, config- or data-only changes need no test change, so they get no finding at all.
  if (sources.length === 0) return [];
  if (tests.length === 0) {
    return [
      finding(
        'controller',
        'warning',
        `Source changed in ${plural(new Set(sources).size, 'file')} but no test file changed; add or update a ` +
          'test that shows the change works.',
        sources,
      ),
    ];
  }
  return [
    finding('controller', 'info', `Tests changed: ${plural(new Set(tests).size, 'test file')}.`, tests),
  ];
}

/**
 * Whether the change edits a Rust file's tests: its unit tests, or a doc test (an example in a
 * `///` comment, not its prose) of an item whose code it edits or of the module (`//!`), read from
 * the head's whole file. Without that text, any doc comment line reads as every doc test of the
 * file, so a doc test does not count.
 */
function rustTestsEdited(input: ReviewInput, path: string): boolean {
  const head = input.headTexts?.get(path);
  const edited = [...testsEditedByChange(input.diff, [path], input.headTexts)];
  if (edited.some((name) => !name.startsWith(DOC_TESTS_OF))) return true;
  const file = parseDiff(input.diff, new Set([path])).files.find((entry) => entry.path === path);
  const sides = file === undefined ? null : fileSides(file, head);
  if (file === undefined || sides === null) return false;
  const items = itemsEdited(file, sides);
  return edited.some((name) => {
    const item = name.slice(`${DOC_TESTS_OF}${path}`.length).replace(/^#/, '');
    return item === '' || items.has(item);
  });
}

/**
 * Required gates decide proof readiness on their own (the proof builder turns their failure into a
 * gap), so here they only appear in the summary; a failing optional gate blocks nothing, which is
 * exactly why it deserves a warning someone will read.
 */
function gateFindings(input: ReviewInput): Finding[] {
  if (input.gates.length === 0) return [finding('controller', 'info', 'No gate ran.', [])];
  const findings: Finding[] = [];
  for (const gate of input.gates) {
    if (!gate.required && PROBLEM_OUTCOMES.has(gate.outcome)) {
      const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
      findings.push(
        finding(
          'controller',
          'warning',
          `Optional gate ${gate.name} (${gate.kind}) ${gate.outcome === 'timeout' ? 'timed out' : 'failed'}${exit}.`,
          [],
        ),
      );
    }
  }
  const counts = new Map<string, number>();
  for (const gate of input.gates) {
    // Pre-existing only when the base's failures were compared one by one; else it says how.
    const word = preExistingBasis(gate) === 'exit-code' ? EXIT_CODE_LABEL : gate.outcome.replace('_', '-');
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // The exit-code words last, so their ", judged by exit code" reads as theirs alone.
  const tally = [...counts]
    .sort(([a], [b]) => (a === EXIT_CODE_LABEL ? 1 : b === EXIT_CODE_LABEL ? -1 : a < b ? -1 : 1))
    .map(([word, count]) => `${count} ${word}`)
    .join(', ');
  const requiredProblems = input.gates
    .filter((gate) => gate.required && PROBLEM_OUTCOMES.has(gate.outcome))
    .map((gate) => gate.name)
    .sort();
  const required =
    requiredProblems.length === 0 ? '' : `; required and not passing: ${requiredProblems.join(', ')}`;
  findings.push(finding('controller', 'info', `Gates: ${tally}${required}.`, []));
  return findings;
}
