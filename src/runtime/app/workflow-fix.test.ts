import { describe, expect, it } from 'vitest';
import type { ReviewAsk } from './review-fix.js';
import { goalBranchesFor, workflowFixStart } from './workflow-fix.js';

const ask = (branch: string | null): ReviewAsk => ({
  kind: 'fix',
  pr: 7,
  branch: branch ?? '',
  author: 'reviewer',
  requests: [],
  batch: null,
  why: null,
});

describe('workflowFixStart: where a workflow fix starts from its review event', () => {
  it('starts nothing from an event that is not a review of a pull request', () => {
    expect(workflowFixStart(null, 'g-123456')).toEqual({ kind: 'not_a_review' });
  });

  it("takes the goal the step names, else the one the PR's omk branch names", () => {
    const review = ask('omk/g-1/s1');
    expect(workflowFixStart(review, null)).toEqual({ kind: 'fix', goalId: 'g-1', ask: review });
    expect(workflowFixStart(review, 'g-2')).toEqual({ kind: 'fix', goalId: 'g-2', ask: review });
    expect(workflowFixStart(ask('feature/x'), 'g-2')).toMatchObject({ kind: 'fix', goalId: 'g-2' });
  });

  it('names the PR and its branch when neither names a goal, skipped events included', () => {
    expect(workflowFixStart(ask('feature/x'), null)).toEqual({ kind: 'not_omk', pr: 7, branch: 'feature/x' });
    const skipped: ReviewAsk = { kind: 'skip', pr: null, branch: null, why: 'the review names no author' };
    expect(workflowFixStart(skipped, null)).toEqual({ kind: 'not_omk', pr: null, branch: null });
  });
});

describe("goalBranchesFor: the repository's goal branches, else this runner's", () => {
  it('uses the repository when the fetch works', async () => {
    let fetched = 0;
    expect(await goalBranchesFor(async () => void fetched++)).toEqual({ from: 'repository' });
    expect(fetched).toBe(1);
  });

  it("falls back to this runner's branches when the fetch fails, saying why", async () => {
    const failing = async () => Promise.reject(new Error("couldn't find remote ref omk/g-1/s1"));
    expect(await goalBranchesFor(failing)).toEqual({
      from: 'runner',
      why: "couldn't find remote ref omk/g-1/s1",
    });
    expect(await goalBranchesFor(async () => Promise.reject('offline'))).toEqual({
      from: 'runner',
      why: 'offline',
    });
  });
});
