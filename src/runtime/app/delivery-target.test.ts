import { describe, expect, it } from 'vitest';
import { goalRecord } from '../delivery/test-delivery.js';
import { UsageError } from '../errors.js';
import type { DeliveryPolicy, GoalRecord } from '../goal/schema.js';
import { deliveryTarget, draftConflict } from './delivery-target.js';
import { plainVocabulary } from './vocabulary.js';

function goal(policy: DeliveryPolicy): GoalRecord {
  const record = goalRecord('fix it');
  return { ...record, id: 'fix-it-3fa9c1', status: 'ready', options: { ...record.options, policy } };
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
