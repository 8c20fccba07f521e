import { IllegalTransitionError } from '../errors.js';
import type { Hint } from '../next-steps.js';
import type { GoalRecord, GoalStatus } from './schema.js';
import { TERMINAL_STATUSES } from './schema.js';

export const LIFECYCLE_ACTIONS = ['pause', 'resume', 'cancel', 'accept', 'reject'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** Which statuses each action may start from. Everything else is refused with a reason. */
export const ALLOWED_FROM: Record<LifecycleAction, readonly GoalStatus[]> = {
  pause: ['planned', 'running', 'interrupted', 'not_ready'],
  // not_ready: a goal stopped by its budget (or with retries left) continues after budget-add.
  resume: ['paused', 'interrupted', 'not_ready'],
  cancel: ['planned', 'running', 'paused', 'interrupted', 'ready', 'not_ready', 'failed', 'blocked_on_human'],
  // Acceptance is a human's verdict on finished work; not_ready is allowed so a human may accept
  // known gaps, which the proof keeps listing, and blocked_on_human so the person it waits for
  // can give it (a gate definition the goal meant to change; merge-decision.ts says what a merge
  // then honours).
  accept: ['ready', 'not_ready', 'blocked_on_human'],
  reject: ['planned', 'paused', 'interrupted', 'ready', 'not_ready', 'failed', 'blocked_on_human'],
};

export interface TransitionContext {
  /** Is the goal's recorded controller process still alive? */
  controllerAlive: boolean;
}

/** The status a goal has after `action`, or an IllegalTransitionError that says why and what to do. */
export function nextStatus(
  goal: GoalRecord,
  action: LifecycleAction,
  context: TransitionContext,
): GoalStatus {
  const from = goal.status;
  if (action === 'resume' && from === 'running') {
    throw new IllegalTransitionError(
      context.controllerAlive
        ? `Goal ${goal.id} is running (controller pid ${goal.controller?.pid ?? '?'}); there is nothing to resume.`
        : `Goal ${goal.id} is marked running, but its controller is gone.`,
      {
        hint: context.controllerAlive
          ? [
              'Use ',
              { step: 'status', goalId: goal.id },
              ' to follow it, or ',
              { step: 'pause', goalId: goal.id },
              ' first.',
            ]
          : ['Use ', { step: 'resume_orphans' }, ' to take over goals whose controller died.'],
      },
    );
  }
  if (!ALLOWED_FROM[action].includes(from) && !resumesUntilReady(goal, action)) {
    throw new IllegalTransitionError(`Cannot ${action} goal ${goal.id}: it is ${from}.`, {
      hint: hintFor(action, goal),
    });
  }
  switch (action) {
    case 'pause':
      return 'paused';
    case 'resume':
      return from === 'not_ready' || from === 'failed' ? from : (goal.resumeTo ?? 'planned');
    case 'cancel':
      return 'cancelled';
    case 'accept':
      return 'accepted';
    case 'reject':
      return 'rejected';
  }
}

/** A goal run until ready may be resumed when failed: its failed slices are reopened. */
function resumesUntilReady(goal: GoalRecord, action: LifecycleAction): boolean {
  return action === 'resume' && goal.status === 'failed' && goal.options.untilReady;
}

/**
 * A running goal whose controller died is treated as interrupted (resume --auto picks these); so is
 * a `planned` goal that recorded a controller, a run killed while it planned. A goal planned on
 * purpose (`goal plan`) records none and is never picked.
 */
export function isOrphaned(goal: GoalRecord, context: TransitionContext): boolean {
  if (context.controllerAlive) return false;
  return goal.status === 'running' || (goal.status === 'planned' && goal.controller !== null);
}

function hintFor(action: LifecycleAction, goal: GoalRecord): Hint {
  if (TERMINAL_STATUSES.includes(goal.status)) {
    const article = goal.status === 'accepted' ? 'An' : 'A';
    return [`${article} ${goal.status} goal is final. Start a new goal with `, { step: 'run' }, '.'];
  }
  const allowed = ALLOWED_FROM[action].join(', ');
  if (action === 'accept' && goal.status === 'failed') {
    return [
      'Only ready, not_ready or blocked_on_human goals can be accepted. See what is missing with ',
      { step: 'proof', goalId: goal.id },
      '.',
    ];
  }
  if (action === 'pause' && goal.status === 'paused')
    return ['It is already paused. Resume with ', { step: 'resume', goalId: goal.id }, '.'];
  if (action === 'resume')
    return [`Only paused, interrupted or not_ready goals can be resumed (this one is ${goal.status}).`];
  return [`'${action}' is allowed from: ${allowed}.`];
}
