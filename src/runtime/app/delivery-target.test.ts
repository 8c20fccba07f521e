import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { DeliveryPolicy, GoalRecord } from '../goal/schema.js';
import { deliveryTarget, draftConflict } from './delivery-target.js';
import { plainVocabulary } from './vocabulary.js';

function goal(policy: DeliveryPolicy): GoalRecord {
  return {
    version: 1,
    id: 'fix-it-3fa9c1',
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
    status: 'ready',
    resumeTo: null,
    repo: { root: '/r', baseRef: 'main', baseSha: 'a'.repeat(40) },
    options: {
      policy,
      mergePolicy: 'disabled',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 2,
      agent: null,
      planner: { llm: true, tokenBudget: 8000 },
    },
    budget: { timeMs: null, tokens: null, usd: null },
    controller: null,
  };
}

describe('the open-PR rule and the draft switch', () => {
  it('finds a contradiction only when draft PRs and another policy are both asked for', () => {
    expect(draftConflict({ draft: true, policy: 'auto-pr' })).toBe('auto-pr');
    expect(draftConflict({ draft: true, policy: 'local' })).toBe('local');
    expect(draftConflict({ draft: true, policy: 'draft-pr' })).toBeNull();
    expect(draftConflict({ draft: true })).toBeNull();
    expect(draftConflict({ draft: false, policy: 'auto-pr' })).toBeNull();
    expect(draftConflict({ policy: 'auto-pr' })).toBeNull();
  });

  it('refuses draft PRs with auto-pr, whatever the goal was created with', () => {
    for (const policy of ['auto-pr', 'draft-pr', 'local'] as const) {
      let refused: unknown;
      try {
        deliveryTarget(goal(policy), { draft: true, policy: 'auto-pr' }, plainVocabulary);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(UsageError);
      expect((refused as UsageError).message).toBe(
        'Draft PRs and policy auto-pr were both asked for goal fix-it-3fa9c1; they contradict each other, so nothing was opened.',
      );
      expect((refused as UsageError).hint).toBe(
        'Ask for one: policy: draft-pr for drafts, or policy: auto-pr for PRs ready for review.',
      );
    }
  });

  it('opens drafts for the draft switch alone, over a goal created with auto-pr', () => {
    expect(deliveryTarget(goal('auto-pr'), { draft: true }, plainVocabulary)).toEqual({
      policy: 'draft-pr',
      base: 'main',
    });
    expect(deliveryTarget(goal('auto-pr'), { draft: true, policy: 'draft-pr' }, plainVocabulary).policy).toBe(
      'draft-pr',
    );
    expect(deliveryTarget(goal('auto-pr'), {}, plainVocabulary).policy).toBe('auto-pr');
    expect(deliveryTarget(goal('local'), {}, plainVocabulary).policy).toBe('draft-pr');
  });
});
