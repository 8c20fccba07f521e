import { describe, expect, it } from 'vitest';
import { goalRecord, notReadyProof } from '../delivery/test-delivery.js';
import type { GoalRecord } from '../goal/schema.js';
import type { FixReport } from './fix-reply.js';
import { fixNote, notStartedNote, resumeFollowUp, sharedGoalNeeds } from './goal-steps.js';
import { describeNote, plainVocabulary } from './index.js';

const goal = (status: GoalRecord['status']): GoalRecord => ({ ...goalRecord(), status });
const resumed = (status: GoalRecord['status']) => ({
  goal: goal(status),
  previous: 'paused' as const,
  proof: notReadyProof(),
});

describe('sharedGoalNeeds', () => {
  it('reads the state only for queries, writes it back for changes, and checks out the code to open PRs (again after an accept)', () => {
    expect(sharedGoalNeeds('status')).toEqual({ checkout: 'state', saves: false });
    expect(sharedGoalNeeds('proof')).toEqual({ checkout: 'state', saves: false });
    expect(sharedGoalNeeds('budget')).toEqual({ checkout: 'state', saves: false });
    expect(sharedGoalNeeds('budget-add')).toEqual({ checkout: 'state', saves: true });
    for (const verb of ['pause', 'cancel', 'reject', 'resume', 'merge'] as const) {
      expect(sharedGoalNeeds(verb)).toEqual({ checkout: 'state', saves: true });
    }
    expect(sharedGoalNeeds('open-pr')).toEqual({ checkout: 'full', saves: true });
    expect(sharedGoalNeeds('accept')).toEqual({ checkout: 'full', saves: true });
  });
});

describe('resumeFollowUp', () => {
  it('continues a running or planned goal here or by dispatch, and nothing else', () => {
    expect(resumeFollowUp(resumed('running'), true)).toBe('execute_here');
    expect(resumeFollowUp(resumed('planned'), false)).toBe('dispatch');
    expect(resumeFollowUp(resumed('cancelled'), true)).toBe('none');
    expect(resumeFollowUp(resumed('ready'), false)).toBe('none');
  });
});

describe('notStartedNote', () => {
  it('says nothing for a goal that starts, and why one does not start again', () => {
    expect(notStartedNote(goal('planned'), true, false)).toBeNull();
    const note = notStartedNote(goal('blocked_on_human'), false, false);
    expect(note === null ? null : describeNote(note, plainVocabulary)).toBe(
      'Not started again: the goal is blocked on human.',
    );
    const dispatched = notStartedNote(goal('cancelled'), false, true);
    expect(dispatched === null ? null : describeNote(dispatched, plainVocabulary)).toBe(
      'Not dispatched: the goal is cancelled.',
    );
  });
});

describe('fixNote', () => {
  const report = (headSha: string | null): FixReport => ({
    pr: 12,
    headSha,
    changedFiles: [],
    agentFailure: null,
    proofStatus: 'ready',
    failing: [],
    delivered: true,
  });
  const done = (sliceId: string | null, headSha: string | null) =>
    describeNote(
      fixNote({
        kind: 'applied',
        requestIds: ['r1'],
        pr: 12,
        sliceId,
        report: report(headSha),
        proofStatus: 'ready',
        knownGaps: [],
        replied: 1,
        resolved: 1,
        withheld: null,
      }),
      plainVocabulary,
    );

  it('names the PR fixed, the fix commit, how many requests it answered and the proof', () => {
    expect(done(null, 'f'.repeat(40))).toBe(
      `Review fix on the integrator PR #12: applied (fix ${'f'.repeat(12)}) for 1 request(s); proof ready.`,
    );
    expect(done('integration', null)).toBe(
      'Review fix on the integrator PR #12: applied (no change) for 1 request(s); proof ready.',
    );
    expect(done('s1', null)).toBe(
      "Review fix on the slice s1's PR #12: applied (no change) for 1 request(s); proof ready.",
    );
  });

  it('says when every request was handled already', () => {
    const note = fixNote({ kind: 'already_handled', requestIds: ['a', 'b'] });
    expect(describeNote(note, plainVocabulary)).toBe(
      'Already handled: a, b (a rerun or a redelivery); nothing ran.',
    );
  });
});
