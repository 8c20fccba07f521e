import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../errors.js';
import { isOrphaned, nextStatus } from './lifecycle.js';
import type { GoalRecord, GoalStatus } from './schema.js';

function goal(status: GoalStatus, resumeTo: GoalStatus | null = null): GoalRecord {
  return {
    version: 1,
    id: 'g1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    revision: 1,
    goal: { text: 'fix it', normalized: 'fix it' },
    oracle: {
      testable: true,
      class: 'fix',
      shape: 'fail_to_pass',
      checks: [],
      requiredGates: ['test'],
      reasons: [],
      humanDecisions: [],
    },
    status,
    resumeTo,
    repo: { root: '/r', baseRef: 'main', baseSha: 'a'.repeat(40) },
    options: {
      policy: 'local',
      mergePolicy: 'disabled',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 2,
      agent: null,
      planner: { llm: true, tokenBudget: 8000 },
      allowGateEdits: false,
      allowWorkflowEdits: false,
    },
    budget: { timeMs: null, tokens: null, usd: null },
    controller: { pid: 42, host: 'h', startedAt: 'x', heartbeatAt: 'x' },
  };
}
const alive = { controllerAlive: true };
const dead = { controllerAlive: false };

describe('nextStatus', () => {
  it('pauses and resumes to the status it was paused from', () => {
    expect(nextStatus(goal('not_ready'), 'pause', alive)).toBe('paused');
    expect(nextStatus(goal('paused', 'not_ready'), 'resume', alive)).toBe('not_ready');
    expect(nextStatus(goal('interrupted', 'running'), 'resume', dead)).toBe('running');
    expect(nextStatus(goal('not_ready'), 'resume', dead)).toBe('not_ready');
    try {
      nextStatus(goal('ready'), 'resume', dead);
      expect.unreachable();
    } catch (error) {
      expect((error as IllegalTransitionError).hint).toMatch(/paused, interrupted or not_ready/);
    }
  });

  it('accepts ready, not_ready and blocked_on_human goals only', () => {
    expect(nextStatus(goal('ready'), 'accept', alive)).toBe('accepted');
    expect(nextStatus(goal('not_ready'), 'accept', alive)).toBe('accepted');
    expect(nextStatus(goal('blocked_on_human'), 'accept', alive)).toBe('accepted');
    for (const status of ['cancelled', 'rejected', 'failed', 'paused'] as const) {
      expect(() => nextStatus(goal(status), 'accept', alive)).toThrow(IllegalTransitionError);
    }
  });

  it('refuses to accept a cancelled goal with a message that names its state', () => {
    expect(() => nextStatus(goal('cancelled'), 'accept', alive)).toThrow(
      /Cannot accept goal g1: it is cancelled/,
    );
  });

  it('refuses to resume a running goal, pointing at the take-over of orphans when its controller died', () => {
    expect(() => nextStatus(goal('running'), 'resume', alive)).toThrow(/is running \(controller pid 42\)/);
    try {
      nextStatus(goal('running'), 'resume', dead);
      expect.unreachable();
    } catch (error) {
      expect((error as IllegalTransitionError).hintParts).toContainEqual({ step: 'resume_orphans' });
    }
  });

  it('treats terminal statuses as final for every action', () => {
    for (const status of ['cancelled', 'accepted', 'rejected', 'merged'] as const) {
      for (const action of ['pause', 'resume', 'cancel', 'accept', 'reject'] as const) {
        expect(() => nextStatus(goal(status), action, alive)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('resumes a failed goal only when it runs until ready (its failed slices are reopened)', () => {
    expect(() => nextStatus(goal('failed'), 'resume', dead)).toThrow(/Cannot resume goal g1: it is failed/);
    const untilReady = { ...goal('failed'), options: { ...goal('failed').options, untilReady: true } };
    expect(nextStatus(untilReady, 'resume', dead)).toBe('failed');
  });

  it('detects orphaned running goals', () => {
    expect(isOrphaned(goal('running'), dead)).toBe(true);
    expect(isOrphaned(goal('running'), alive)).toBe(false);
    expect(isOrphaned(goal('paused'), dead)).toBe(false);
  });

  it('detects a planned goal whose run died while it planned, never one planned on purpose', () => {
    const lease = { pid: 42, host: 'h', startedAt: 'x', heartbeatAt: 'x' };
    expect(isOrphaned({ ...goal('planned'), controller: lease }, dead)).toBe(true);
    expect(isOrphaned({ ...goal('planned'), controller: lease }, alive)).toBe(false);
    expect(isOrphaned({ ...goal('planned'), controller: null }, dead)).toBe(false);
  });
});
