import type { GateEvidence } from './schema.js';

/**
 * How a gate that failed on the head and on the base was judged: `diagnostics` or `tests` when
 * every failure on the head is one the base has too (same normalized diagnostics, same failing
 * test ids), read one by one; `coverage` when every test passes on the head and all that fails
 * beyond them is coverage thresholds the base misses too, by as much or more; `exit-code` when only the exit codes were compared, which cannot
 * tell the base's failures from new ones. Null for any other outcome.
 */
export type PreExistingBasis = 'diagnostics' | 'tests' | 'coverage' | 'exit-code';

export function preExistingBasis(gate: GateEvidence): PreExistingBasis | null {
  if (gate.outcome !== 'pre_existing') return null;
  if (gate.diagnostics !== undefined && gate.diagnostics.new === 0) return 'diagnostics';
  const tests = gate.tests;
  if (
    tests !== undefined &&
    tests.baseSha !== null &&
    tests.counts.failed > 0 &&
    tests.counts.regressions === 0 &&
    tests.counts.stillFailing === tests.counts.failed
  ) {
    return 'tests';
  }
  if (
    gate.beyondTests !== undefined &&
    tests !== undefined &&
    tests.baseSha !== null &&
    tests.counts.failed === 0
  ) {
    return 'coverage';
  }
  return 'exit-code';
}

/**
 * A gate whose only failures are the base's own, shown one by one, and that the config does not
 * ask to block: it does not block readiness, is nothing for an agent to fix, and the proof lists
 * its failures as pre-existing.
 */
export function toleratedPreExisting(gate: GateEvidence): boolean {
  const basis = preExistingBasis(gate);
  return basis !== null && basis !== 'exit-code' && gate.preExisting !== 'block';
}

/** Passed, flaky, or failing only as the base does (tolerated): nothing on the head is the change's fault. */
export function passedOrTolerated(gate: GateEvidence): boolean {
  return gate.outcome === 'passed' || gate.outcome === 'flaky' || toleratedPreExisting(gate);
}
