import {
  type BudgetView,
  type DeliverResult,
  describeNote,
  isOmkError,
  type LifecycleResult,
  type MergeGoalResult,
  mergeNote,
} from '../runtime/app/index.js';
import { formatDuration, plainMessage } from '../runtime/app/render.js';
import { BOT_STEPS, BOT_WORDS } from './wording.js';

/** Plain-text lines for replies and status comments; render.ts and replies.ts escape them. */

export function mergeNotes(merge: MergeGoalResult | null): string[] {
  return merge === null ? [] : [describeNote(mergeNote(merge), BOT_WORDS)];
}

export function transitionNote(result: LifecycleResult): string {
  const to = result.goal.status.replace(/_/g, ' ');
  return `Goal ${result.goal.id}: ${result.previous.replace(/_/g, ' ')} → ${to}.`;
}

export function deliveryNotes(result: DeliverResult): string[] {
  return [
    ...result.delivered.map((pull) => `${pull.sliceId ?? 'integrator'}: PR #${pull.number} ${pull.url}`),
    ...result.plan.skipped.map((skip) => `skipped ${skip.sliceId}: ${skip.reason}`),
  ];
}

function amount(kind: 'timeMs' | 'tokens' | 'usd', value: number | null): string {
  if (value === null) return 'unlimited';
  if (kind === 'timeMs') return formatDuration(value);
  return kind === 'usd' ? `$${value.toFixed(2)}` : String(value);
}

export function budgetNotes(view: BudgetView): string[] {
  const kinds = [
    ['time', 'timeMs'],
    ['tokens', 'tokens'],
    ['usd', 'usd'],
  ] as const;
  return [
    `Budget of goal ${view.goalId}:`,
    ...kinds.map(
      ([label, kind]) =>
        `${label}: spent ${amount(kind, view.spent[kind])} of ${amount(kind, view.limits[kind])}, remaining ${amount(kind, view.remaining[kind])}`,
    ),
  ];
}

/**
 * What stopped a run, for its status comment: the error's first line with paths and git command
 * lines put in words, and its hint (what to do). An error omk did not expect is not described:
 * the app's log has it.
 */
export function failureNotes(error: unknown): string[] {
  if (!isOmkError(error))
    return ["Stopped by an internal error. The app's log has the details; resume the goal to try again."];
  const hint = error.hintIn(BOT_STEPS);
  return [
    `Stopped by an error: ${plainMessage(error.message)}`,
    ...(hint ? [`What to do: ${plainMessage(hint)}`] : []),
  ];
}
