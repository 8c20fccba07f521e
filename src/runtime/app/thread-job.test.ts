import { describe, expect, it } from 'vitest';
import type { MergeCheck } from './merge.js';
import {
  commandStepPlan,
  executeStepPlan,
  fixStepPlan,
  mergeCheckStepPlan,
  readStepPlan,
} from './thread-job.js';

describe('the shared-goal step table', () => {
  it('reads a query in a state checkout and pushes nothing; a change pushes under the lock', () => {
    expect(commandStepPlan({ kind: 'status' }, 'g1')).toEqual({
      checkout: 'state',
      branches: false,
      save: null,
      saveOnFailure: false,
      lock: 'step',
    });
    expect(commandStepPlan({ kind: 'budget', add: { time: 60_000 } }, 'g1')).toMatchObject({
      checkout: 'state',
      save: 'omk: budget goal g1',
    });
    expect(commandStepPlan({ kind: 'pause' }, 'g1')).toMatchObject({
      save: 'omk: pause goal g1',
      lock: 'step',
    });
  });

  it('brings the goal branches into a full checkout to open its PRs', () => {
    expect(commandStepPlan({ kind: 'open-pr' }, 'g1')).toEqual({
      checkout: 'full',
      branches: true,
      save: 'omk: open-pr goal g1',
      saveOnFailure: false,
      lock: 'step',
    });
  });

  it('runs a goal unlocked between its pull and its push, which happens whatever the run came to', () => {
    expect(executeStepPlan('g1')).toEqual({
      checkout: 'full',
      branches: true,
      save: 'omk: goal g1 after execution',
      saveOnFailure: true,
      lock: 'pull_push',
    });
  });

  it('keeps what a fix recorded even when it fails', () => {
    expect(fixStepPlan('g1', 7)).toEqual({
      checkout: 'full',
      branches: true,
      save: 'omk: fix for PR #7 of goal g1',
      saveOnFailure: true,
      lock: 'step',
    });
  });

  it('pushes a merge check only when it evaluated the merge', () => {
    const plan = mergeCheckStepPlan('g1');
    expect(plan).toMatchObject({
      checkout: 'state',
      branches: false,
      save: 'omk: merge evaluation of goal g1',
    });
    const skipped: MergeCheck = { evaluated: false, why: 'not_gated', detail: 'merge policy is none' };
    expect(plan.saveIf?.(skipped)).toBe(false);
    const blocked: MergeCheck = {
      evaluated: true,
      result: {
        merged: false,
        blockedBy: 'not_mergeable',
        reasons: [{ blocker: 'conflict', detail: 'x' }],
        pr: 3,
      },
    };
    expect(plan.saveIf?.(blocked)).toBe(true);
  });

  it('reads a goal without a lock or a push', () => {
    expect(readStepPlan()).toEqual({
      checkout: 'full',
      branches: false,
      save: null,
      saveOnFailure: false,
      lock: 'none',
    });
  });
});
