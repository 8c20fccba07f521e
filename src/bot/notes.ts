import {
  type BudgetView,
  type DeliverResult,
  describeNote,
  type LifecycleResult,
  type MergeGoalResult,
  mergeNote,
} from '../runtime/app/index.js';
import { formatDuration } from '../runtime/app/render.js';
import { BOT_WORDS } from './wording.js';

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
