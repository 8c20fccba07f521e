import type { GoalRecord } from '../goal/schema.js';
import { integrationBranchName, sliceBranchName } from '../graph/branches.js';
import type { Task } from '../graph/schema.js';
import { buildProof } from '../proof/build.js';
import type { Proof } from '../proof/schema.js';
import { evidence, gate, HEAD_SHA, oracle } from '../proof/test-evidence.js';
import type { IntegratorBodyInput, SliceBodyInput } from './pr-body.js';
import type { DeliveryRecord } from './state.js';

/** Test builders for delivery: complete, valid inputs that tests bend one way. */

export const GOAL_ID = 'fix-the-crash-3fa9c1';
export const SLICE_SHA = 'd'.repeat(40);

export function goalRecord(text = 'Fix the crash when the config file is empty'): GoalRecord {
  return {
    version: 1,
    id: GOAL_ID,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    revision: 3,
    goal: { text, normalized: text.toLowerCase() },
    oracle: oracle(),
    status: 'not_ready',
    resumeTo: null,
    repo: { root: '/repo', baseRef: 'main', baseSha: 'b'.repeat(40) },
    options: {
      policy: 'draft-pr',
      mergePolicy: 'gated',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 2,
      agent: null,
      planner: { llm: true, tokenBudget: 8000 },
      allowGateEdits: false,
      allowWorkflowEdits: false,
    },
    budget: { timeMs: 600_000, tokens: null, usd: null },
    controller: null,
  };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 's1',
    title: 'Guard the empty config',
    description: 'Return defaults when the file is empty',
    ownerRole: 'backend',
    dependsOn: [],
    reads: ['src'],
    writes: ['src/config'],
    risk: 'low',
    acceptance: ['an empty config file loads the defaults'],
    budget: { timeMs: 600_000, tokens: null, usd: null },
    maxRetries: 1,
    status: 'done',
    attempts: 1,
    ...overrides,
  };
}

/** A goal proof with one known gap (a failing lint gate mid-execution) and one decision. */
export function notReadyProof(text?: string): Proof {
  return buildProof(
    evidence({
      ...(text === undefined ? {} : { goalText: text }),
      execution: 'in_progress',
      gates: [gate(), gate({ kind: 'lint', required: true, outcome: 'failed', exitCode: 1, tail: 'x' })],
    }),
  );
}

export function sliceInput(overrides: Partial<SliceBodyInput> = {}): SliceBodyInput {
  return {
    goal: goalRecord(),
    proof: notReadyProof(),
    slice: {
      task: task(),
      branch: sliceBranchName(GOAL_ID, 's1'),
      headSha: SLICE_SHA,
      changedFiles: [{ path: 'src/config/load.ts', additions: 4, deletions: 1 }],
      gates: [
        gate({ sha: SLICE_SHA }),
        gate({ kind: 'lint', sha: SLICE_SHA, outcome: 'failed', exitCode: 1, tail: 'src/a.ts:1:1 error' }),
      ],
      findings: [],
    },
    siblings: [{ id: 's2', title: 'Document the defaults', url: 'https://github.com/o/r/pull/8' }],
    integrator: { url: null },
    ...overrides,
  };
}

export function integratorInput(overrides: Partial<IntegratorBodyInput> = {}): IntegratorBodyInput {
  return {
    goal: goalRecord(),
    proof: notReadyProof(),
    policy: 'draft-pr',
    slices: [
      { id: 's1', title: 'Guard the empty config', url: 'https://github.com/o/r/pull/7', status: 'done' },
      { id: 's2', title: 'Document the defaults', url: null, status: 'running' },
    ],
    branch: integrationBranchName(GOAL_ID),
    ...overrides,
  };
}

export { HEAD_SHA };

/** The delivery record of a goal whose slice s1 has one draft PR open (#7) on the local forge. */
export function onePrDelivery(goalId: string): DeliveryRecord {
  return {
    version: 1,
    forge: 'local',
    target: 'local:acme/widgets',
    pulls: [
      {
        sliceId: 's1',
        branch: `omk/${goalId}/s1`,
        number: 7,
        url: 'https://forge.example/acme/widgets/pull/7',
        headSha: SLICE_SHA,
        checkRunId: null,
        checkRunSha: null,
        checkRunPendingSha: null,
        labels: [],
        draft: true,
      },
    ],
  };
}
