import { describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { type GoalTexts, mergeGoalTexts } from './merge.js';
import type { GoalRecord, GoalStatus } from './schema.js';

function goal(status: GoalStatus, budget: GoalRecord['budget'] = { timeMs: 1000, tokens: null, usd: null }) {
  const record: GoalRecord = {
    version: 1,
    id: 'g1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    revision: 3,
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
    resumeTo: null,
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
    budget,
    controller: null,
  };
  return JSON.stringify(record);
}

const ev = (seq: number, type: string, data: object = {}, ts = `2026-01-01T00:00:0${seq}.000Z`) =>
  `${JSON.stringify({ v: 1, seq, ts, type, data })}\n`;
const cp = (seq: number, kind: string, timeMs: number | null, spent: number) =>
  `${JSON.stringify({
    v: 1,
    seq,
    ts: `2026-01-01T00:00:0${seq}.000Z`,
    kind,
    limits: { timeMs, tokens: null, usd: null },
    spent: { timeMs: spent, tokens: 0, usd: 0 },
    note: kind,
  })}\n`;

function texts(over: Partial<GoalTexts>): GoalTexts {
  return { goal: null, events: null, decisions: null, budget: null, failure: null, ...over };
}

const shared = ev(1, 'goal_created') + ev(2, 'plan_written');

describe('mergeGoalTexts', () => {
  it('adopts a pause the remote recorded over a running copy, remembering where to resume', () => {
    const merged = mergeGoalTexts(
      texts({ goal: goal('running'), events: shared + ev(3, 'task_leased') }),
      texts({
        goal: goal('paused'),
        events: shared + ev(3, 'goal_paused', { from: 'running', to: 'paused' }),
      }),
      'test',
    );
    expect(merged.adopted).toEqual(['pause']);
    expect(merged.goal.status).toBe('paused');
    expect(merged.goal.resumeTo).toBe('running');
    expect(merged.eventsChanged).toBe(true);
    expect(merged.writes.events?.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('adopts a pause made while the goal ran over a copy that has reached ready here', () => {
    const merged = mergeGoalTexts(
      texts({ goal: goal('ready'), events: shared + ev(3, 'integration_done') }),
      texts({
        goal: goal('paused'),
        events: shared + ev(3, 'goal_paused', { from: 'running', to: 'paused' }),
      }),
      'test',
    );
    expect(merged.adopted).toEqual(['pause']);
    expect(merged.goal.status).toBe('paused');
    expect(merged.goal.resumeTo).toBe('ready');
  });

  it('does not adopt a pause over a goal that is final here', () => {
    const merged = mergeGoalTexts(
      texts({ goal: goal('merged'), events: shared + ev(3, 'goal_merged') }),
      texts({
        goal: goal('paused'),
        events: shared + ev(3, 'goal_paused', { from: 'running', to: 'paused' }),
      }),
      'test',
    );
    expect(merged.adopted).toEqual([]);
    expect(merged.goal.status).toBe('merged');
  });

  it('adopts a cancel with the remote failure.json, and not over a goal already merged here', () => {
    const failure = '{"version":1,"status":"cancelled","at":"x","reason":"wrong","humanDecisions":[]}\n';
    const cancel = ev(3, 'goal_cancelled', { from: 'running', to: 'cancelled', reason: 'wrong' });
    const merged = mergeGoalTexts(
      texts({ goal: goal('ready'), events: shared }),
      texts({ goal: goal('cancelled'), events: shared + cancel, failure }),
      'test',
    );
    expect(merged.goal.status).toBe('cancelled');
    expect(merged.writes.failure).toBe(failure);
    const late = mergeGoalTexts(
      texts({ goal: goal('merged'), events: shared + ev(3, 'goal_merged', {}, '2026-01-01T00:00:09.000Z') }),
      texts({ goal: goal('cancelled'), events: shared + cancel, failure }),
      'test',
    );
    expect(late.goal.status).toBe('merged');
    expect(late.adopted).toEqual([]);
    // The history keeps both: the cancel came too late, and says so by being there.
    expect(late.writes.events).toContain('goal_cancelled');
  });

  it('does not take an orphaned run marked interrupted by resume --auto for a pause', () => {
    const merged = mergeGoalTexts(
      texts({ goal: goal('running'), events: shared }),
      texts({ goal: goal('interrupted'), events: shared + ev(3, 'goal_paused', { to: 'interrupted' }) }),
      'test',
    );
    expect(merged.goal.status).toBe('running');
    expect(merged.adopted).toEqual([]);
  });

  it('re-adds this side’s spend on top of a budget extension written elsewhere', () => {
    const base = cp(1, 'set', 1000, 0);
    const merged = mergeGoalTexts(
      texts({ goal: goal('running'), events: shared, budget: base + cp(2, 'spend', 1000, 400) }),
      texts({
        goal: goal('running', { timeMs: 1500, tokens: null, usd: null }),
        events: shared + ev(3, 'budget_added', { added: { timeMs: 500 } }),
        budget: base + cp(2, 'add', 1500, 0),
      }),
      'test',
    );
    expect(merged.adopted).toEqual(['budget-add']);
    expect(merged.goal.budget.timeMs).toBe(1500);
    const lines = (merged.writes.budget ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.kind, l.limits.timeMs, l.spent.timeMs])).toEqual([
      [1, 'set', 1000, 0],
      [2, 'add', 1500, 0],
      [3, 'spend', 1500, 400],
    ]);
  });

  it('writes nothing when the remote holds nothing new', () => {
    const ours = texts({
      goal: goal('running'),
      events: shared + ev(3, 'task_leased'),
      budget: cp(1, 'set', 1000, 0),
    });
    const merged = mergeGoalTexts(
      ours,
      texts({ goal: goal('planned'), events: shared, budget: cp(1, 'set', 1000, 0) }),
      'test',
    );
    expect(merged.writes).toEqual({});
    expect(merged.adopted).toEqual([]);
  });

  it('refuses a local goal.json that is not JSON, naming it', () => {
    expect(() => mergeGoalTexts(texts({ goal: '{' }), texts({ goal: goal('paused') }), 'goal g1')).toThrow(
      StateError,
    );
  });
});
