import type { BotMode } from '../adapters/bot/config.js';
import { type Phase, statusMarker } from '../adapters/bot/status-comments.js';
import { type GoalRecord, goalHasEnded, type Proof, type RunProgress } from '../runtime/app/index.js';
import {
  code,
  finalSummary,
  gatesLine,
  notesList,
  progressSection,
  STATUS_ICONS,
  STATUS_LABELS,
  slicesTable,
  text,
} from '../runtime/app/render.js';
import { BOT_STEPS } from './wording.js';

export interface StatusView {
  goalId: string;
  phase: Phase;
  mode: BotMode;
  workflow: string;
  goal: GoalRecord | null;
  proof: Proof | null;
  /** The run in phases (planned, slices settled, integrated, PRs, merged, what failed). */
  progress: RunProgress | null;
  /** Plain text lines (a merge verdict, a delivery note); escaped here. */
  notes: readonly string[];
  startedBy: string | null;
}

const PHASE_TEXT: Record<Phase, (view: StatusView) => string> = {
  queued: () => 'queued: waiting for a free runner in this app',
  planning: () => 'planning: reading the repository and writing the plan',
  dispatched: (view) => `dispatched: the ${code(view.workflow)} workflow runs it`,
  running: () => 'running here: agents, gates, review, integration',
  settled: () => 'nothing running',
};

/** A goal that has ended: its status comment carries the final summary. */
export function hasEnded(goal: GoalRecord | null, phase: Phase): boolean {
  return goalHasEnded(goal, phase === 'settled');
}

/**
 * The comment's title: the goal's status; before the goal exists, "starting", and once settled
 * without one (refused before it was created: the notes say why), "not started".
 */
function heading(status: GoalRecord['status'] | null, phase: Phase, id: string): string {
  if (status !== null) return `${STATUS_ICONS[status]} omk goal ${id}: ${status.replace(/_/g, ' ')}`;
  return phase === 'settled' ? `🚫 omk goal ${id}: not started` : `🕐 omk goal ${id}: starting`;
}

export function renderStatusComment(view: StatusView): string {
  const { goal, proof } = view;
  const status = goal?.status ?? null;
  const out: string[] = [statusMarker(view.goalId), `<!-- omk:phase=${view.phase} -->`];
  out.push(`### ${heading(status, view.phase, code(view.goalId))}`);
  if (goal !== null) out.push('', `> ${text(goal.goal.normalized)}`);
  const facts = [`**Phase:** ${PHASE_TEXT[view.phase](view)}`];
  if (proof !== null) facts.push(`**Proof:** ${STATUS_LABELS[proof.status]}`);
  if (goal !== null) {
    facts.push(`**Delivery:** ${code(goal.options.policy)}`, `**Merge:** ${code(goal.options.mergePolicy)}`);
  }
  out.push('', facts.join(' · '));
  if (proof !== null) out.push(...slicesTable(proof), ...gatesLine(proof));
  if (view.progress !== null) out.push(...progressSection(view.progress, view.goalId, BOT_STEPS));
  out.push(...notesList(view.notes));
  if (hasEnded(goal, view.phase) && goal !== null && proof !== null) {
    out.push(...finalSummary(goal, proof, BOT_STEPS));
  }
  const by = view.startedBy === null ? '' : `started by @&#8203;${text(view.startedBy)} · `;
  out.push('', `<sub>${by}mode ${view.mode} · this comment is updated in place</sub>`);
  return `${out.join('\n')}\n`;
}
