import { toleratedPreExisting } from './pre-existing.js';
import type { GateEvidence, GateTests } from './schema.js';

/** The per-test lists a proof shows, in reading order, with the words every renderer uses. */
const LISTS: readonly { key: keyof Pick<GateTests, ListKey>; label: string; count: CountKey }[] = [
  { key: 'failToPass', label: 'fail→pass', count: 'failToPass' },
  { key: 'regressions', label: 'regression', count: 'regressions' },
  { key: 'stillFailing', label: 'still failing', count: 'stillFailing' },
  { key: 'added', label: 'new', count: 'added' },
  { key: 'removed', label: 'removed', count: 'removed' },
];
type ListKey = 'failToPass' | 'regressions' | 'stillFailing' | 'added' | 'removed';
type CountKey = keyof GateTests['counts'];

/** One labelled list of test names: `shown` are the names the proof holds, `total` how many there were. */
export interface TestList {
  label: string;
  names: readonly string[];
  total: number;
}

/** What a proof says about one gate's tests (or diagnostics): a heading and its non-empty lists. */
export interface TestSummary {
  /** What the lists are of: `tests` or `diagnostics`. */
  subject: 'tests' | 'diagnostics';
  gate: string;
  heading: string;
  /** Set when the base was compared: the short base sha the lists are relative to. */
  base: string | null;
  lists: TestList[];
}

/**
 * A gate's per-test evidence in words, or null for gates that have none to give (not a test gate,
 * or one that did not run to the end). A test gate whose tests could not be read says so: it was
 * judged by its exit code.
 */
export function testSummary(gate: GateEvidence): TestSummary | null {
  const tests = gate.tests;
  if (tests === undefined) {
    if (gate.kind !== 'test' || !['passed', 'failed', 'pre_existing', 'flaky'].includes(gate.outcome))
      return null;
    return {
      subject: 'tests',
      gate: gate.name,
      heading: 'no per-test results could be read from its output; judged by its exit code',
      base: null,
      lists: [],
    };
  }
  const { counts } = tests;
  const base = tests.baseSha === null ? null : tests.baseSha.slice(0, 7);
  const compared = base === null ? 'no base results to compare with' : `compared with base ${base}`;
  const heading = `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${tests.source}, ${compared})`;
  // Failing here as on the base, on a gate they do not block: the base's own failures.
  const old = toleratedPreExisting(gate) ? 'pre-existing' : null;
  const lists =
    base === null
      ? [{ label: 'failing', names: tests.failing, total: counts.failed }]
      : LISTS.map(({ key, label, count }) => ({
          label: key === 'stillFailing' && old !== null ? old : label,
          names: tests[key],
          total: counts[count],
        }));
  return { subject: 'tests', gate: gate.name, heading, base, lists: lists.filter((list) => list.total > 0) };
}

/**
 * A lint, format or typecheck gate's diagnostics against the base's in words: how many are new
 * (they block), the base's own (pre-existing) and fixed, and the first new ones; null when they
 * were not compared.
 */
export function diagnosticsSummary(gate: GateEvidence): TestSummary | null {
  const found = gate.diagnostics;
  if (found === undefined) return null;
  const heading = `${found.new} new, ${found.preExisting} pre-existing, ${found.fixed} fixed (${found.source}, compared with the base)`;
  const lists = found.new > 0 ? [{ label: 'new', names: found.firstNew, total: found.new }] : [];
  return { subject: 'diagnostics', gate: gate.name, heading, base: null, lists };
}

/** Everything a proof says about one gate's evidence item by item: tests, then diagnostics. */
export function gateSummaries(gate: GateEvidence): TestSummary[] {
  return [testSummary(gate), diagnosticsSummary(gate)].filter(
    (summary): summary is TestSummary => summary !== null,
  );
}

/**
 * The counts of what matters to a reader of one line (a slice's log line): fail→pass and worse.
 * `byEdit` of the fail→pass tests are ones the change edited (a rewritten expectation, a golden
 * file): said apart, as the fail-to-pass check shows no fix by them.
 */
export function testCounts(gates: readonly GateEvidence[], byEdit = 0): string {
  const sum = (key: CountKey) => gates.reduce((total, gate) => total + (gate.tests?.counts[key] ?? 0), 0);
  const parts = [
    ['fail→pass', Math.max(0, sum('failToPass') - byEdit)],
    ['fail→pass by an edit of the test itself', byEdit],
    ['regression(s)', sum('regressions')],
    ['still failing', sum('stillFailing')],
  ] as const;
  return parts
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`)
    .join(', ');
}

/** Likewise for lint, format and typecheck gates: new diagnostics, and the base's own. */
export function diagnosticCounts(gates: readonly GateEvidence[]): string {
  const sum = (key: 'new' | 'preExisting') =>
    gates.reduce((total, gate) => total + (gate.diagnostics?.[key] ?? 0), 0);
  const parts = [
    ['new', sum('new')],
    ['pre-existing', sum('preExisting')],
  ] as const;
  return parts
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`)
    .join(', ');
}

/** Names shown per list in a rendered proof; proof.json holds up to TEST_NAMES_LIMIT. */
export const NAMES_SHOWN = 10;

/** `a, b and 12 more`, each name through `format` (escaping for where it lands). */
export function namesLine(list: TestList, format: (name: string) => string, shown = NAMES_SHOWN): string {
  const names = list.names.slice(0, shown).map(format);
  const more = list.total - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}
