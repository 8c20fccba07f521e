import type { MergeCheck } from './merge.js';
import { type ThreadGoalCommand, threadStepPlan } from './thread-step.js';

/**
 * How a thread's host takes one step on a goal it keeps on the state branch: what it checks out,
 * whether the goal's branches are brought into that checkout, what it pushes back, and how it
 * holds the goal's lock. The one table every such step is read from: a thread's commands on a
 * goal, the run that executes it here, a review fix, a merge re-evaluated after a signal, and a
 * read of the goal before a step that may be refused.
 */
export interface SharedStepPlan<T = unknown> {
  checkout: 'full' | 'state';
  /** Fetch the goal's branches into the checkout (and point the goal at it) before the act. */
  branches: boolean;
  /** The state branch commit message the goal is pushed with after the act; null: nothing is pushed. */
  save: string | null;
  /** Push after a failed act too, so what it gathered is kept (the act's error is still thrown). */
  saveOnFailure: boolean;
  /** Push only when this holds of the act's value. */
  saveIf?: (value: T) => boolean;
  /**
   * `step`: the goal's lock is held for the whole step (checkout, pull, act, push), so steps on
   * one goal take turns. `pull_push`: held around the pull and the push only, while the act (a
   * run) goes on unlocked; commands reach a run through its own store meanwhile, and it stops
   * being the goal's active run under the lock, in its push. `none`: a read that pushes nothing.
   */
  lock: 'step' | 'pull_push' | 'none';
}

/** A thread command's step on the shared state (`threadStepPlan` says what it needs). */
export function commandStepPlan(command: ThreadGoalCommand, goalId: string): SharedStepPlan {
  const { needs } = threadStepPlan(command);
  return {
    checkout: needs.checkout,
    branches: needs.checkout === 'full',
    save: needs.saves ? `omk: ${command.kind} goal ${goalId}` : null,
    saveOnFailure: false,
    lock: 'step',
  };
}

/**
 * A run of the goal here (execute, deliver and merge by its policies): what it recorded is pushed
 * whatever happened, and pause or cancel from a comment land on its store while it runs.
 */
export function executeStepPlan(goalId: string): SharedStepPlan {
  return {
    checkout: 'full',
    branches: true,
    save: `omk: goal ${goalId} after execution`,
    saveOnFailure: true,
    lock: 'pull_push',
  };
}

/** A review fix on one of the goal's PRs: what it recorded (its request ids above all) is pushed whatever happened. */
export function fixStepPlan(goalId: string, pr: number): SharedStepPlan {
  return {
    checkout: 'full',
    branches: true,
    save: `omk: fix for PR #${pr} of goal ${goalId}`,
    saveOnFailure: true,
    lock: 'step',
  };
}

/**
 * A gated merge re-evaluated after a check, a status or a review changed: a check that evaluated
 * nothing (not gated, not ready, no integrator PR yet) changed nothing, so nothing is pushed.
 */
export function mergeCheckStepPlan(goalId: string): SharedStepPlan<MergeCheck> {
  return {
    checkout: 'state',
    branches: false,
    save: `omk: merge evaluation of goal ${goalId}`,
    saveOnFailure: false,
    saveIf: (check) => check.evaluated,
    lock: 'step',
  };
}

/** A read of the goal in a checkout of the default branch (the agent it was created with), before a step that may be refused. */
export function readStepPlan(): SharedStepPlan {
  return { checkout: 'full', branches: false, save: null, saveOnFailure: false, lock: 'none' };
}
