import { describe, expect, it } from 'vitest';
import { jobGoalIds, refsJobMade } from './job-layout.js';

describe('job layout', () => {
  it('takes goal ids from state directory names, once each', () => {
    expect(jobGoalIds(['fix-tests-3fa9c1', 'fix-tests-3fa9c1', '.lock', 'Not An Id'])).toEqual([
      'fix-tests-3fa9c1',
    ]);
  });

  it("deletes only the refs the job made: new, under refs/omk/ or its goals' branches", () => {
    const made = refsJobMade(
      {
        before: ['refs/heads/omk/old-goal-aaaaaa/s1', 'refs/omk/state'],
        now: [
          'refs/heads/omk/old-goal-aaaaaa/s1',
          'refs/omk/state',
          'refs/omk/tracking',
          'refs/heads/omk/fix-tests-3fa9c1/s1',
          'refs/heads/omk/other-goal-bbbbbb/s1',
        ],
      },
      ['fix-tests-3fa9c1'],
    );
    expect(made).toEqual(['refs/omk/tracking', 'refs/heads/omk/fix-tests-3fa9c1/s1']);
  });
});
