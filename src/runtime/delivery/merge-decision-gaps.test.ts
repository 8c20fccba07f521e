import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Proof } from '../proof/schema.js';

// Which gaps an acceptance closes follows HUMAN_ACTION_GAPS (proof/build.ts), not one code: a gap
// added there (here `agents_unconfined`, as a host without a sandbox gives) is accepted like a
// gate definition's, while gate_unavailable stays closed only by installing the tool.
// Unit files share their workers' modules (isolate: false): the mock is taken for a fresh import
// of the module under test, and dropped after.
async function withAddedGap(): Promise<typeof import('./merge-decision.js')> {
  vi.resetModules();
  vi.doMock('../proof/build.js', async (original) => ({
    ...(await original<typeof import('../proof/build.js')>()),
    HUMAN_ACTION_GAPS: ['gate_unavailable', 'gate_definition_edited', 'agents_unconfined'],
  }));
  return import('./merge-decision.js');
}
afterAll(() => {
  vi.doUnmock('../proof/build.js');
  vi.resetModules();
});

function blocked(codes: string[]): Proof {
  return {
    status: 'blocked_on_human',
    failures: [],
    knownGaps: codes.map((code) => ({ code, message: `gap ${code}` })),
    delivery: { acceptance: { at: '2026-01-01T00:00:00.000Z', eventSeq: 4, text: 'reviewed' } },
  } as unknown as Proof;
}

describe('acceptedReview', () => {
  it('takes every gap only a person closes by accepting, but gate_unavailable', async () => {
    const { acceptedReview, awaitsAcceptance } = await withAddedGap();
    // Such a proof waits for a person (its PRs are opened for them), whatever else it lacks.
    expect(awaitsAcceptance(blocked(['agents_unconfined', 'gate_unavailable']))).toBe(true);
    expect(awaitsAcceptance(blocked(['gate_unavailable']))).toBe(false);
    expect(acceptedReview(blocked(['agents_unconfined']))).toBe(true);
    expect(acceptedReview(blocked(['agents_unconfined', 'gate_definition_edited']))).toBe(true);
    expect(acceptedReview(blocked(['agents_unconfined', 'gate_unavailable']))).toBe(false);
    expect(acceptedReview(blocked(['agents_unconfined', 'budget_exhausted']))).toBe(false);
  });
});
