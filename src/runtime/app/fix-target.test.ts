import { describe, expect, it } from 'vitest';
import { fixGoalId, fixTarget } from './fix-target.js';

const idle = () => false;

describe('fixTarget', () => {
  it("finds the goal from an omk PR's branch, slice or integrator", () => {
    expect(fixTarget({ branch: 'omk/g-1/s1', fixesHere: true, running: idle })).toEqual({
      kind: 'start',
      goalId: 'g-1',
    });
    expect(fixTarget({ branch: 'omk/g-1/integration', fixesHere: true, running: idle })).toEqual({
      kind: 'start',
      goalId: 'g-1',
    });
  });

  it('starts nothing for a PR omk did not open, or an issue', () => {
    for (const branch of ['main', 'feature/x', 'omk/G/s1', null]) {
      expect(fixTarget({ branch, fixesHere: true, running: idle }), String(branch)).toEqual({
        kind: 'not_omk_pr',
      });
    }
  });

  it('leaves the fix to the host that runs them, and waits for a goal running here', () => {
    expect(fixTarget({ branch: 'omk/g-1/s1', fixesHere: false, running: idle })).toEqual({
      kind: 'fixes_elsewhere',
      goalId: 'g-1',
    });
    const running = (goalId: string) => goalId === 'g-1';
    expect(fixTarget({ branch: 'omk/g-1/s1', fixesHere: true, running })).toEqual({
      kind: 'busy',
      goalId: 'g-1',
    });
    expect(fixTarget({ branch: 'omk/g-2/s1', fixesHere: true, running })).toEqual({
      kind: 'start',
      goalId: 'g-2',
    });
  });
});

describe('fixGoalId', () => {
  it("takes the goal the host names over the PR's branch, else the branch's goal", () => {
    expect(fixGoalId({ named: 'g-2', branch: 'omk/g-1/s1' })).toBe('g-2');
    expect(fixGoalId({ named: 'g-2', branch: null })).toBe('g-2');
    expect(fixGoalId({ named: null, branch: 'omk/g-1/integration' })).toBe('g-1');
  });

  it('names none for a PR omk did not open when the host names none', () => {
    for (const branch of ['main', 'feature/x', 'omk/G/s1', null])
      expect(fixGoalId({ named: null, branch }), String(branch)).toBeNull();
  });
});
