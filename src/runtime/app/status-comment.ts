import type { RunProgress } from '../events/progress.js';
import { GOAL_ID_PATTERN } from '../goal/ids.js';
import type { GoalRecord } from '../goal/schema.js';
import {
  finalSummary,
  gatesLine,
  notesList,
  progressSection,
  slicesTable,
} from '../markdown/goal-sections.js';
import { code, text } from '../markdown/untrusted.js';
import type { StepSpelling } from '../next-steps.js';
import { STATUS_ICONS } from '../proof/icons.js';
import { STATUS_LABELS } from '../proof/render-text.js';
import type { Proof } from '../proof/schema.js';
import { goalHasEnded } from './queries.js';
import { THREAD_PHASES, type ThreadPhase } from './thread-host.js';

/**
 * A goal's status comment on a GitHub thread, the one place its format lives: the hidden markers
 * that find it again (written first, read back by the host's status comments) and its Markdown,
 * rebuilt from the goal's state at every edit.
 */

export interface StatusCommentView {
  goalId: string;
  phase: ThreadPhase;
  /** How the app runs goals: here (`local`) or in the repository's workflow (`actions`). */
  mode: string;
  workflow: string;
  goal: GoalRecord | null;
  proof: Proof | null;
  /** The run in phases (planned, slices settled, integrated, PRs, merged, what failed). */
  progress: RunProgress | null;
  /** Plain text lines (a merge verdict, a delivery note); escaped here. */
  notes: readonly string[];
  startedBy: string | null;
}

/** The marker that finds a goal's status comment again: the comment is updated, never duplicated. */
export function statusMarker(goalId: string): string {
  return `<!-- omk:status goal=${goalId} -->`;
}

const MARKER = /^<!-- omk:status goal=(\S+) -->\n<!-- omk:phase=([a-z]+) -->/;

/** The goal and phase a status comment is about, or null when the body is not one. */
export function readStatusMarker(body: string): { goalId: string; phase: ThreadPhase | null } | null {
  const found = MARKER.exec(body);
  if (!found?.[1] || !GOAL_ID_PATTERN.test(found[1])) return null;
  const phase = THREAD_PHASES.find((p) => p === found[2]) ?? null;
  return { goalId: found[1], phase };
}

const PHASE_TEXT: Record<ThreadPhase, (view: StatusCommentView) => string> = {
  queued: () => 'queued: waiting for a free runner in this app',
  planning: () => 'planning: reading the repository and writing the plan',
  dispatched: (view) => `dispatched: the ${code(view.workflow)} workflow runs it`,
  running: () => 'running here: agents, gates, review, integration',
  settled: () => 'nothing running',
};

/** A goal that has ended: its status comment carries the final summary. */
export function hasEnded(goal: GoalRecord | null, phase: ThreadPhase): boolean {
  return goalHasEnded(goal, phase === 'settled');
}

/**
 * The comment's title: the goal's status; before the goal exists, "starting", and once settled
 * without one (refused before it was created: the notes say why), "not started".
 */
function heading(status: GoalRecord['status'] | null, phase: ThreadPhase, id: string): string {
  if (status !== null) return `${STATUS_ICONS[status]} omk goal ${id}: ${status.replace(/_/g, ' ')}`;
  return phase === 'settled' ? `🚫 omk goal ${id}: not started` : `🕐 omk goal ${id}: starting`;
}

export function renderStatusComment(view: StatusCommentView, steps: StepSpelling): string {
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
  if (view.progress !== null) out.push(...progressSection(view.progress, view.goalId, steps));
  out.push(...notesList(view.notes));
  if (hasEnded(goal, view.phase) && goal !== null && proof !== null) {
    out.push(...finalSummary(goal, proof, steps));
  }
  const by = view.startedBy === null ? '' : `started by @&#8203;${text(view.startedBy)} · `;
  out.push('', `<sub>${by}mode ${view.mode} · this comment is updated in place</sub>`);
  return `${out.join('\n')}\n`;
}
