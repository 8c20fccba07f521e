import {
  GOAL_ID_PATTERN,
  type GoalRecord,
  goalHasEnded,
  type Proof,
  pullRequestOf,
} from '../runtime/app/index.js';
import {
  code,
  formatBudget,
  gapText,
  link,
  OUTCOME_ICONS,
  OUTCOME_LABELS,
  STATUS_ICONS,
  STATUS_LABELS,
  shortSha,
  text,
} from '../runtime/app/render.js';
import type { BotMode } from './config.js';
import { BOT_STEPS } from './wording.js';

/** What the bot is doing about a goal, beside the goal's own status. */
export const PHASES = ['queued', 'planning', 'dispatched', 'running', 'settled'] as const;
export type Phase = (typeof PHASES)[number];

export interface StatusView {
  goalId: string;
  phase: Phase;
  mode: BotMode;
  workflow: string;
  goal: GoalRecord | null;
  proof: Proof | null;
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

/** The marker that finds a goal's status comment again: the comment is updated, never duplicated. */
export function statusMarker(goalId: string): string {
  return `<!-- omk:status goal=${goalId} -->`;
}

const MARKER = /^<!-- omk:status goal=(\S+) -->\n<!-- omk:phase=([a-z]+) -->/;

/** The goal and phase a status comment is about, or null when the body is not one. */
export function readStatusMarker(body: string): { goalId: string; phase: Phase | null } | null {
  const found = MARKER.exec(body);
  if (!found?.[1] || !GOAL_ID_PATTERN.test(found[1])) return null;
  const phase = PHASES.find((p) => p === found[2]) ?? null;
  return { goalId: found[1], phase };
}

/** A goal that has ended: its status comment carries the final summary. */
export function hasEnded(goal: GoalRecord | null, phase: Phase): boolean {
  return goalHasEnded(goal, phase === 'settled');
}

export function renderStatusComment(view: StatusView): string {
  const { goal, proof } = view;
  const status = goal?.status ?? null;
  const out: string[] = [statusMarker(view.goalId), `<!-- omk:phase=${view.phase} -->`];
  const icon = status === null ? '🕐' : STATUS_ICONS[status];
  out.push(
    `### ${icon} omk goal ${code(view.goalId)}: ${status === null ? 'starting' : status.replace(/_/g, ' ')}`,
  );
  if (goal !== null) out.push('', `> ${text(goal.goal.normalized)}`);
  const facts = [`**Phase:** ${PHASE_TEXT[view.phase](view)}`];
  if (proof !== null) facts.push(`**Proof:** ${STATUS_LABELS[proof.status]}`);
  if (goal !== null) {
    facts.push(`**Delivery:** ${code(goal.options.policy)}`, `**Merge:** ${code(goal.options.mergePolicy)}`);
  }
  out.push('', facts.join(' · '));
  if (proof !== null) out.push(...slicesTable(proof), ...gatesLine(proof));
  if (view.notes.length > 0) out.push('', ...view.notes.map((note) => `- ${text(note)}`));
  if (hasEnded(goal, view.phase) && goal !== null && proof !== null) out.push(...finalSummary(goal, proof));
  const by = view.startedBy === null ? '' : `started by @&#8203;${text(view.startedBy)} · `;
  out.push('', `<sub>${by}mode ${view.mode} · this comment is updated in place</sub>`);
  return `${out.join('\n')}\n`;
}

function prLink(proof: Proof, sliceId: string | null): string {
  const pr = pullRequestOf(proof, sliceId);
  return pr === null ? '–' : link(`#${pr.number}`, pr.url, true);
}

function slicesTable(proof: Proof): string[] {
  if (proof.slices.length === 0) return [];
  const rows = proof.slices.map(
    (slice) =>
      `| ${code(slice.id, true)} | ${text(slice.title)} | ${slice.status} | ${slice.attempts} | ${prLink(proof, slice.id)} |`,
  );
  const integrator =
    pullRequestOf(proof, null) !== null
      ? [`| integration | all slices | – | – | ${prLink(proof, null)} |`]
      : [];
  return ['', '| Slice | Title | Status | Attempts | PR |', '|---|---|---|---|---|', ...rows, ...integrator];
}

function gatesLine(proof: Proof): string[] {
  if (proof.gates.length === 0) return [];
  const gates = proof.gates.map(
    (gate) =>
      `${OUTCOME_ICONS[gate.outcome]} ${code(gate.name)} ${OUTCOME_LABELS[gate.outcome]}${gate.required ? '' : ' (optional)'}`,
  );
  return ['', `**Gates:** ${gates.join(' · ')}`];
}

function finalSummary(goal: GoalRecord, proof: Proof): string[] {
  const merge = proof.delivery.merge;
  const outcome =
    merge !== null
      ? `merged into ${code(merge.target)} as ${code(shortSha(merge.sha))}`
      : `${goal.status.replace(/_/g, ' ')}, proof ${STATUS_LABELS[proof.status]}`;
  const gaps =
    proof.knownGaps.length === 0
      ? ['- Known gaps: none']
      : [
          `- Known gaps (${proof.knownGaps.length}):`,
          ...proof.knownGaps.map((g) => `  - ${code(g.code)} ${text(gapText(g, BOT_STEPS))}`),
        ];
  const decisions = proof.humanDecisions.map((d) => `  - ${text(d)}`);
  return [
    '',
    '#### Final summary',
    '',
    `- Outcome: ${outcome}`,
    ...gaps,
    ...(decisions.length > 0 ? ['- Human decisions needed:', ...decisions] : []),
    `- Budget: ${formatBudget(proof.budget).map(text).join(' · ')}`,
  ];
}
