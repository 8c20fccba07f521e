import { describe, expect, it } from 'vitest';
import { type ExecutionStateRecord, emptyExecution, sliceRecord } from '../controller/execution-state.js';
import type { GoalEvent } from '../events/schema.js';
import { REUSE_UNPROVEN, reuseClaimGaps } from './reuse-claims.js';
import { gate, HEAD_SHA } from './test-evidence.js';

const SLICE_SHA = 'd'.repeat(40);
const TREE = 'e'.repeat(40);
const OTHER_TREE = 'f'.repeat(40);
const from = { slice: 's1', sha: SLICE_SHA, tree: TREE };

/** A one-slice goal whose integrated tree took the slice's test gate, as the controller records it. */
function reused(): { record: ExecutionStateRecord; events: GoalEvent[] } {
  const ran = gate({ sha: SLICE_SHA, required: true, tail: 'ok 1 - parse' });
  const record: ExecutionStateRecord = {
    ...emptyExecution(),
    state: 'complete',
    slices: [{ ...sliceRecord(emptyExecution(), 's1'), headSha: SLICE_SHA, gates: [ran], gatesTree: TREE }],
    integration: {
      branch: 'omk/g1/integration',
      workspace: '/w/integration',
      headSha: HEAD_SHA,
      merged: ['omk/g1/s1'],
      conflict: null,
      tree: TREE,
    },
    finalGates: [{ ...ran, sha: HEAD_SHA, reusedFrom: from }],
  };
  const event = (seq: number, type: string, data: Record<string, unknown>): GoalEvent => ({
    v: 1,
    seq,
    ts: '2026-01-01T00:00:00.000Z',
    type,
    data,
  });
  const events = [
    event(1, 'gates_verified', { taskId: 's1', sha: SLICE_SHA, tree: TREE, outcomes: ['test:passed'] }),
    event(2, 'integration_done', { headSha: HEAD_SHA, tree: TREE, reusedFrom: from, gates: ['test:passed'] }),
  ];
  return { record, events };
}

describe('reuseClaimGaps', () => {
  it('accepts a reuse the evidence backs', () => {
    const { record, events } = reused();
    expect(reuseClaimGaps(record, events)).toEqual([]);
  });

  it('says nothing of gates that ran on the integrated tree', () => {
    const { record, events } = reused();
    const ran = { ...record, finalGates: record.finalGates.map(({ reusedFrom: _from, ...gate }) => gate) };
    expect(reuseClaimGaps(ran, events)).toEqual([]);
  });

  const forged: [string, (record: ExecutionStateRecord) => ExecutionStateRecord, RegExp][] = [
    [
      'a claimed tree that is not the integrated head’s',
      (r) => ({
        ...r,
        finalGates: r.finalGates.map((g) => ({ ...g, reusedFrom: { ...from, tree: OTHER_TREE } })),
      }),
      /the integrated head's tree is eeeeeeeeeeee/,
    ],
    [
      'an integrated tree that is not the slice’s',
      (r) => ({ ...r, integration: r.integration && { ...r.integration, tree: OTHER_TREE } }),
      /the integrated head's tree is ffffffffffff/,
    ],
    [
      'a slice whose gates ran on another tree',
      (r) => ({ ...r, slices: r.slices.map((s) => ({ ...s, gatesTree: OTHER_TREE })) }),
      /the slice's gates ran on dddddddddddd \(tree ffffffffffff\)/,
    ],
    [
      'a slice result other than the one claimed',
      (r) => ({
        ...r,
        slices: r.slices.map((s) => ({
          ...s,
          gates: s.gates.map((g) => ({ ...g, outcome: 'failed' as const })),
        })),
      }),
      /the slice's gate gave another result/,
    ],
    [
      'a slice the goal does not have',
      (r) => ({
        ...r,
        finalGates: r.finalGates.map((g) => ({ ...g, reusedFrom: { ...from, slice: 's9' } })),
      }),
      /the goal has no such slice/,
    ],
  ];
  it.each(forged)('refuses %s', (_what, forge, message) => {
    const { record, events } = reused();
    const gaps = reuseClaimGaps(forge(record), events);
    expect(gaps).toEqual([{ code: REUSE_UNPROVEN, message: expect.stringMatching(message) }]);
  });

  it("refuses a claim the goal's log does not record", () => {
    const { record, events } = reused();
    expect(reuseClaimGaps(record, events.slice(1))[0]?.message).toMatch(/no such gate run of the slice/);
    expect(reuseClaimGaps(record, events.slice(0, 1))[0]?.message).toMatch(
      /does not record the integration taking it/,
    );
  });
});
