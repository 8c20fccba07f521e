import type { GateEvidence } from './schema.js';

/** Outcomes on the base that show nothing failing there: a test that cannot start shows nothing either. */
const NOT_FAILED_ON_BASE: ReadonlySet<GateEvidence['outcome']> = new Set(['passed', 'flaky', 'unavailable']);

/** A test gate's run on the base failed (or timed out, or was cut short). */
export function failedOnBase(gate: GateEvidence): boolean {
  return !NOT_FAILED_ON_BASE.has(gate.outcome);
}

/** How a gate's run ended, for a reason or a hint: `it failed, exit 1`, `it timed out`. */
export function howItEnded(gate: Pick<GateEvidence, 'outcome' | 'exitCode'>): string {
  switch (gate.outcome) {
    case 'failed':
    case 'pre_existing':
      return gate.exitCode === null ? 'it failed with no exit code' : `it failed, exit ${gate.exitCode}`;
    case 'timeout':
      return 'it timed out';
    case 'skipped':
      return 'it was cut short';
    default:
      return `it ended ${gate.outcome}`;
  }
}

/**
 * The test gates whose run on the base failed with no per-test results while their run on the
 * head reported its tests. The runner is one omk reads, so a base run that named no test ended
 * before reporting (a crash, a timeout, a killed runner, a vanished temp dir): its failure says
 * nothing about the fix, and exit codes do not stand in for it. Exit codes decide only for a gate
 * neither run reported per test (a custom command with no readable output).
 */
export function unreadOnBase(base: readonly GateEvidence[], readOnHead: ReadonlySet<string>): GateEvidence[] {
  return base.filter(
    (gate) =>
      gate.kind === 'test' && gate.tests === undefined && failedOnBase(gate) && readOnHead.has(gate.name),
  );
}

/** The names of the test gates whose run reported per-test results. */
export function readPerTest(runs: readonly GateEvidence[]): Set<string> {
  return new Set(runs.filter((gate) => gate.kind === 'test' && gate.tests !== undefined).map((g) => g.name));
}

/** The reason's words for one such gate. */
export function unreadOnBaseWords(gate: GateEvidence, where = 'on the base'): string {
  return (
    `gate ${gate.name}'s ${reportedNone(gate, where, 'on the head')}, so it ended before reporting ` +
    '(a crash, a timeout, a killed runner) and its failure shows nothing about the fix'
  );
}

/**
 * The mirror: a test gate whose run on the head failed with no per-test results while its run on
 * the base reported them. The runner that reports on the base did not get to report on the head
 * (a `pretest` step the change broke, a module every test imports that no longer loads, a crash):
 * the failure is the change's, whatever the base's own failing tests, and exit codes do not call it
 * pre-existing (gates/verify.ts).
 */
export function unreadOnHeadWords(gate: Pick<GateEvidence, 'outcome' | 'exitCode'>, base: string): string {
  return `its ${reportedNone(gate, 'on the head', base)}: ${STOPPED}; see the log's last lines`;
}

const STOPPED = 'the change stopped the tests from running';

/** A failed gate the change stopped from running its tests (its evidence says so; its note, unreadOnHeadWords'). */
export function stoppedOnHead(gate: Pick<GateEvidence, 'outcome' | 'stoppedOnHead'>): boolean {
  return gate.outcome === 'failed' && gate.stoppedOnHead === true;
}

function reportedNone(
  gate: Pick<GateEvidence, 'outcome' | 'exitCode'>,
  where: string,
  other: string,
): string {
  return `run ${where} reported no per-test results (${howItEnded(gate)}) though its run ${other} did`;
}
