import { type GateEvidence, type GateTests, TEST_NAMES_LIMIT } from '../proof/schema.js';
import { judgeBeyondTests } from './beyond-tests.js';
import { compareTests, type TestComparison } from './test-results/compare.js';
import type { TestResults } from './test-results/types.js';

/** Longer names are cut: a parametrized test id can hold a whole data structure. */
const NAME_CHARS = 300;

/** What a gate that failed on the head and on the base is, judged test by test when both were read. */
export interface FailureVerdict {
  outcome: 'pre_existing' | 'failed';
  note: string;
  /** Every test passes on the head while the run fails: what failed beyond them (GateEvidence.beyondTests). */
  beyondTests?: NonNullable<GateEvidence['beyondTests']>;
}

/** The head's and the base's results can be compared test by test; null says why not. */
export function comparable(head: TestResults | null, base: TestResults | null): string | null {
  if (head === null && base === null) return 'no per-test results could be read on the head or the base';
  if (head === null) return 'no per-test results could be read on the head';
  if (base === null) return 'no per-test results could be read on the base';
  if (head.source !== base.source) {
    return `the head's results (${head.source}) and the base's (${base.source}) are in different formats`;
  }
  return null;
}

/**
 * What failed beyond the tests, as a failed gate's evidence records it (judgeFailureOnBoth), each
 * coverage threshold with its figures here and on the base first; null for another gate.
 */
export function failedBeyondTests(gate: Pick<GateEvidence, 'outcome' | 'beyondTests'>): string | null {
  if (gate.outcome !== 'failed' || gate.beyondTests === undefined) return null;
  const { lines, coverage } = gate.beyondTests;
  return coverage.length === 0 ? lines : `coverage ${coverage.join('; ')} | ${lines}`;
}

/** How the head's failing run ended, for a note that says what failed beyond its tests. */
export interface HeadRun {
  exitCode: number | null;
  tail: string;
}

/**
 * A gate failing on the head and on the base: pre-existing only when every test failing on the
 * head also failed on the base. Any other failing test (it passed on the base, or is new) is a
 * regression, and the gate failed. Every test passing on the head while failing tests explained
 * the base's failure: the head fails for another reason (an unhandled error, a coverage
 * threshold, a `posttest` step), which is the change's unless all of it is coverage thresholds
 * the base's output shows it misses too, by as much or more (judgeAllPassing). When the two sides
 * cannot be compared test by test, or neither names a failing test, the exit codes decide, as the
 * note says.
 */
export function judgeFailureOnBoth(
  head: TestResults | null,
  base: TestResults | null,
  base12: string,
  headRun: HeadRun = { exitCode: null, tail: '' },
  baseTail = '',
): FailureVerdict {
  const why = comparable(head, base);
  if (why !== null || head === null || base === null) {
    return { outcome: 'pre_existing', note: `fails on base ${base12} too (judged by exit codes: ${why})` };
  }
  if (head.failed.length === 0) return judgeAllPassing(base, base12, headRun, baseTail);
  const { regressions, stillFailing, notRunOnBase } = compareTests(base, head);
  if (regressions.length > 0) {
    return {
      outcome: 'failed',
      note: `${regressions.length} test(s) fail here that did not fail on base ${base12}: ${listed(regressions)}`,
    };
  }
  const unreached = head.failed.filter((name) => notRunOnBase.includes(name));
  if (unreached.length > 0) {
    const packages = [...new Set(unreached.map((name) => name.slice(0, name.indexOf(' > '))))];
    return {
      outcome: 'pre_existing',
      note:
        `fails on base ${base12} too (judged by exit codes: the base's run stopped at its first failing ` +
        `package and never ran ${packages.join(', ')}, whose tests fail here: ${listed(unreached)}; ` +
        "'pnpm -r --no-bail test' runs every package)",
    };
  }
  return {
    outcome: 'pre_existing',
    note: `fails on base ${base12} too, with the same failing tests: ${listed(stillFailing)}`,
  };
}

/**
 * Every test passes on the head and its run still fails. All it names beyond its tests is
 * coverage thresholds the base misses too, by as much or more: the base's debt, pre-existing.
 * Otherwise, while failing tests explained the base's failure, the head fails for a reason the
 * base's run does not show to be its own: failed. While the base's tests passed too, a threshold
 * the head misses worse than the base (or that the base's output does not show missed) is the
 * change's; anything else is left to the exit codes, as the note says.
 */
function judgeAllPassing(
  base: TestResults,
  base12: string,
  headRun: HeadRun,
  baseTail: string,
): FailureVerdict {
  const beyond = judgeBeyondTests(headRun.tail, baseTail);
  const exit = headRun.exitCode === null ? '' : ` (exit ${headRun.exitCode})`;
  const beyondTests = { lines: beyond.lines, coverage: beyond.coverage };
  const coverage = beyond.coverage.join('; ');
  if (beyond.debt) {
    return {
      outcome: 'pre_existing',
      note: `every test passes here; the run fails${exit} only on coverage thresholds base ${base12} misses too, by as much or more: ${coverage}`,
      beyondTests,
    };
  }
  const named = coverage === '' ? '' : ` (coverage: ${coverage})`;
  if (base.failed.length > 0) {
    return {
      outcome: 'failed',
      note:
        `every test passes here, yet the run fails${exit}, while on base ${base12} failing tests explained its failure ` +
        `(${listed(base.failed)}): what fails beyond the tests is new, worse than on the base, or was hidden on the base ` +
        `behind its failing tests${named}; its last lines: ${beyond.lines}`,
      beyondTests,
    };
  }
  if (beyond.worse) {
    return {
      outcome: 'failed',
      note:
        `every test passes here and on base ${base12}, yet the run fails${exit} on coverage thresholds it misses ` +
        `by more than the base, or that the base's output does not show missed${named}; its last lines: ${beyond.lines}`,
      beyondTests,
    };
  }
  return {
    outcome: 'pre_existing',
    note: `fails on base ${base12} too (judged by exit codes: the output names no failing test)`,
  };
}

/** The regressions to name when a gate that passes on the base fails here, or null if unknown. */
export function regressionNote(head: TestResults | null, base: TestResults | null): string | null {
  if (comparable(head, base) !== null || head === null || base === null) return null;
  const { regressions } = compareTests(base, head);
  return regressions.length === 0 ? null : `regressions: ${listed(regressions)}`;
}

/** The proof's `tests` for a head run, compared with the base's results when there are some. */
export function gateTests(head: TestResults, base: TestResults | null, baseSha: string | null): GateTests {
  const compared = baseSha !== null && comparable(head, base) === null && base !== null;
  const comparison: TestComparison = compared
    ? compareTests(base, head)
    : { failToPass: [], regressions: [], stillFailing: [], added: [], removed: [], notRunOnBase: [] };
  return {
    source: head.source,
    baseSha: compared ? baseSha : null,
    counts: {
      passed: head.passed.length,
      failed: head.failed.length,
      skipped: head.skipped,
      failToPass: comparison.failToPass.length,
      regressions: comparison.regressions.length,
      stillFailing: comparison.stillFailing.length,
      added: comparison.added.length,
      removed: comparison.removed.length,
    },
    failing: bounded(head.failed),
    failToPass: bounded(comparison.failToPass),
    regressions: bounded(comparison.regressions),
    stillFailing: bounded(comparison.stillFailing),
    added: bounded(comparison.added),
    removed: bounded(comparison.removed),
  };
}

function bounded(names: readonly string[]): string[] {
  return names
    .slice(0, TEST_NAMES_LIMIT)
    .map((name) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name));
}

/** Up to five names, then how many more. */
function listed(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
