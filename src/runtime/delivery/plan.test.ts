import { describe, expect, it } from 'vitest';
import {
  type ExecutionStateRecord,
  emptyExecution,
  sliceRecord,
  withSlice,
} from '../controller/execution-state.js';
import { integrationBranchName, sliceBranchName } from '../graph/branches.js';
import type { Finding } from '../proof/schema.js';
import { planDelivery } from './plan.js';
import { GOAL_ID, goalRecord, notReadyProof, SLICE_SHA, task } from './test-delivery.js';

const KEY: Finding = {
  review: 'security',
  severity: 'blocking',
  message: 'Secret (OpenAI API key) added in "src/.env" at line 1: sk-p…; remove it.',
  paths: ['src/.env'],
};
const SIZE: Finding = { review: 'controller', severity: 'info', message: 'Change size: 1 file.', paths: [] };

/** Two done slices, each with a change, merged into the integration; `findings` per slice id. */
function execution(findings: Record<string, Finding[]>, final: Finding[] = []): ExecutionStateRecord {
  let record = emptyExecution();
  for (const id of ['s1', 's2']) {
    record = withSlice(record, {
      ...sliceRecord(record, id),
      branch: sliceBranchName(GOAL_ID, id),
      headSha: SLICE_SHA,
      changedFiles: [{ path: `src/${id}.ts`, additions: 1, deletions: 0 }],
      findings: findings[id] ?? [],
    });
  }
  return {
    ...record,
    integration: {
      branch: integrationBranchName(GOAL_ID),
      workspace: '/w',
      headSha: 'e'.repeat(40),
      merged: [sliceBranchName(GOAL_ID, 's1'), sliceBranchName(GOAL_ID, 's2')],
      conflict: null,
    },
    finalFindings: final,
  };
}

function plan(record: ExecutionStateRecord) {
  return planDelivery({
    goal: goalRecord(),
    graph: {
      version: 1,
      goalId: GOAL_ID,
      planner: { name: 'heuristic', version: '1' },
      tasks: [task({ id: 's1' }), task({ id: 's2', title: 'Test the empty config' })],
      rejected: [],
    },
    execution: record,
    proof: notReadyProof(),
    delivery: { version: 1, forge: 'github', target: 'acme/widgets', pulls: [] },
    policy: 'draft-pr',
    base: 'main',
  });
}

describe('planDelivery and the branches it keeps local', () => {
  it('plans every clean slice and the integrator', () => {
    const planned = plan(execution({ s1: [SIZE] }));
    expect(planned.pulls.map((pull) => pull.sliceId)).toEqual(['s1', 's2', null]);
    expect(planned.kept).toEqual([]);
  });

  it('keeps a slice whose findings block it for security, and the integration that merges it', () => {
    const planned = plan(execution({ s2: [KEY] }));
    expect(planned.pulls.map((pull) => pull.sliceId)).toEqual(['s1']);
    expect(planned.kept).toEqual([
      expect.objectContaining({ sliceId: 's2', code: 'blocked_for_security', paths: ['src/.env'] }),
      expect.objectContaining({ sliceId: null, code: 'merges_kept_slice', slices: ['s2'] }),
    ]);
  });

  it("keeps the integration alone when the integrated tree's review blocks it", () => {
    const planned = plan(execution({}, [KEY]));
    expect(planned.pulls.map((pull) => pull.sliceId)).toEqual(['s1', 's2']);
    expect(planned.kept).toEqual([
      expect.objectContaining({
        sliceId: null,
        branch: integrationBranchName(GOAL_ID),
        code: 'blocked_for_security',
        findings: [KEY.message],
      }),
    ]);
  });
});
