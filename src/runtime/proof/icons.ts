import type { GoalStatus } from '../goal/schema.js';
import type { GateEvidence } from './schema.js';

/**
 * One icon per goal status, shown beside its label in proof markdown, PR bodies, job summaries and
 * the bot's status comment. The four proof statuses are goal statuses, so a proof indexes it too.
 */
export const STATUS_ICONS: Record<GoalStatus, string> = {
  planned: '📝',
  running: '⏳',
  paused: '⏸️',
  interrupted: '⚠️',
  ready: '✅',
  not_ready: '🟡',
  failed: '❌',
  blocked_on_human: '✋',
  cancelled: '🛑',
  accepted: '👍',
  rejected: '👎',
  merged: '🎉',
};

/** One icon per gate outcome, beside its label. */
export const OUTCOME_ICONS: Record<GateEvidence['outcome'], string> = {
  passed: '✅',
  failed: '❌',
  pre_existing: '🟠',
  flaky: '⚠️',
  timeout: '⏱️',
  skipped: '⏭️',
  unavailable: '🚫',
};
