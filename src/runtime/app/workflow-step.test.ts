import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord, task } from '../delivery/test-delivery.js';
import type { GoalStore } from '../goal/store.js';
import type { RemoteStateStore } from '../state/remote.js';
import type { ReviewAsk } from './review-fix.js';
import { runWorkflowStep } from './workflow-step.js';
import type {
  WorkflowRefusal,
  WorkflowStepHost,
  WorkflowStepNotice,
  WorkflowStepRequest,
} from './workflow-step-types.js';
import type { WorkflowStep } from './workflow-steps.js';

const machine = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
const goal = goalRecord();
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-workflow-step-'));
  store = localGoalStore(root, { host: machine });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A refusal as the host's error, so a test can read the refusal back. */
class Refused extends Error {
  constructor(readonly refusal: WorkflowRefusal) {
    super(refusal.code);
  }
}

/**
 * A job whose state branch holds `onBranch` (null: there is no state branch): a pull puts the
 * goal, planned with two slices, in the store. Pushes, notices and refusals are recorded.
 */
function job(onBranch: 'goal' | 'no goal' | null, review: ReviewAsk | null = null) {
  const pushes: string[] = [];
  const notices: WorkflowStepNotice[] = [];
  const remote: RemoteStateStore = {
    async pull(goalId) {
      if (onBranch === null) return null;
      if (onBranch === 'goal' && goalId === goal.id && !(await store.has(goal.id))) {
        await store.create({ ...goal, status: 'planned' });
        const graph = { version: 1, goalId: goal.id, planner: { name: 'test', version: '1' }, rejected: [] };
        const tasks = [task({ id: 'parser', status: 'done' }), task({ id: 'docs', status: 'pending' })];
        await writeFile(store.paths(goal.id).taskGraph, JSON.stringify({ ...graph, tasks }));
      }
      return { commit: 'c'.repeat(40), goals: onBranch === 'goal' && goalId === goal.id ? [goal.id] : [] };
    },
    async push(goalId, message) {
      pushes.push(`${goalId}: ${message}`);
      return 'd'.repeat(40);
    },
    peek: () => Promise.resolve(null),
    read: () => Promise.resolve(null),
  };
  const unused = () => Promise.reject(new Error('this step should not get here'));
  const host: WorkflowStepHost = {
    app: { ...testApp(store), shared: { remote, pollMs: 60_000 } },
    remote,
    repoRoot: root,
    abortable: (fn) => fn(new AbortController().signal),
    agent: unused,
    fetchBranches: unused,
    publishBranch: unused,
    person: unused,
    replies: () => {
      throw new Error('this step answers no review');
    },
    review: async () => ({
      ask: review,
      forge: { writeAccess: async () => ({ allowed: false, role: 'read' }), reviewComments: unused },
    }),
    notify: (notice) => notices.push(notice),
    refusal: (refusal) => new Refused(refusal),
  };
  return { host, pushes, notices };
}

function request(step: WorkflowStep, more: Partial<WorkflowStepRequest> = {}): WorkflowStepRequest {
  return {
    step,
    goalId: goal.id,
    slice: undefined,
    goal: undefined,
    options: {
      policy: 'draft-pr',
      mergePolicy: 'disabled',
      maxAgents: 4,
      untilReady: true,
      allowGateEdits: false,
      allowWorkflowEdits: false,
      llmPlanner: false,
      plannerTokenBudget: 8000,
      budget: {},
    },
    place: { repo: 'octo/app', runId: '7', job: 'omk', runAttempt: '1', runnerName: 'runner' },
    dryRun: false,
    method: 'merge',
    ...more,
  };
}

async function refusalOf(promise: Promise<unknown>): Promise<WorkflowRefusal> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Refused)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error.refusal;
}

describe('runWorkflowStep', () => {
  it('refuses a goal the state branch does not hold, saying whether the branch or the goal is missing', async () => {
    for (const [onBranch, missing] of [
      [null, 'branch'],
      ['no goal', 'goal'],
    ] as const) {
      const { host, pushes } = job(onBranch);
      for (const step of ['status', 'merge', 'open-pr', 'execute', 'integrate'] as const) {
        expect(await refusalOf(runWorkflowStep(host, request(step)))).toEqual({
          code: 'not_on_state_branch',
          goalId: goal.id,
          missing,
        });
      }
      expect(pushes).toEqual([]);
    }
  });

  it('refuses a slice that is not in the plan with the plan slices, and saves nothing', async () => {
    const { host, pushes, notices } = job('goal');
    const refusal = await refusalOf(runWorkflowStep(host, request('status', { slice: 'nope' })));
    expect(refusal).toEqual({
      code: 'unknown_slice',
      goalId: goal.id,
      slice: 'nope',
      slices: ['parser', 'docs'],
    });
    expect(pushes).toEqual([]);
    expect(notices).toEqual([{ kind: 'pulled', level: 'info', goalId: goal.id, commit: 'c'.repeat(12) }]);
  });

  it('reports a slice status without letting it decide the step, and the goal status deciding it', async () => {
    const { host, pushes } = job('goal');
    const one = await runWorkflowStep(host, request('status', { slice: 'docs' }));
    expect(one).toMatchObject({ command: 'status', judged: false, sliceStatus: 'pending', failure: null });
    const parser = await runWorkflowStep(host, request('status', { slice: 'parser' }));
    expect(parser.sliceStatus).toBe('done');
    const whole = await runWorkflowStep(host, request('status'));
    expect(whole).toMatchObject({ judged: true, sliceStatus: null });
    expect(whole.slices.map((row) => row.slice).sort()).toEqual(['docs', 'parser']);
    expect(pushes).toEqual([]);
  });

  it('refuses fix outside a review, and on a PR whose branch names no goal', async () => {
    expect(await refusalOf(runWorkflowStep(job('goal').host, request('fix')))).toEqual({
      code: 'not_a_review',
    });
    const review: ReviewAsk = { kind: 'skip', pr: 12, branch: 'feature/x', why: 'a bot' };
    const { host } = job('goal', review);
    expect(await refusalOf(runWorkflowStep(host, request('fix', { goalId: undefined })))).toEqual({
      code: 'not_an_omk_pr',
      pr: 12,
      branch: 'feature/x',
    });
  });

  it('fixes nothing for a reviewer who may not write: no agent, no save, and the proof does not decide', async () => {
    const review: ReviewAsk = {
      kind: 'fix',
      pr: 12,
      branch: `omk/${goal.id}/integration`,
      author: 'drive-by',
      requests: [],
      batch: null,
      why: null,
    };
    const { host, pushes } = job('goal', review);
    const outcome = await runWorkflowStep(host, request('fix', { goalId: undefined }));
    expect(outcome).toMatchObject({
      goalId: goal.id,
      judged: false,
      notes: [{ code: 'fix_no_write', author: 'drive-by', role: 'read' }],
    });
    expect(pushes).toEqual([]);
  });
});
