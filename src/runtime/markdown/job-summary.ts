import { renderCheckSummary } from '../delivery/check-run.js';
import type { DeliveryPlan } from '../delivery/plan.js';
import type { RunProgress } from '../events/progress.js';
import type { StepSpelling } from '../next-steps.js';
import { STATUS_ICONS } from '../proof/icons.js';
import { STATUS_LABELS, shortSha } from '../proof/render-text.js';
import type { Proof } from '../proof/schema.js';
import { dryRunSection, notesList, progressSection, pullRequestsTable, wavesTable } from './goal-sections.js';
import { code, quote, text } from './untrusted.js';

/** What one CI step did to a goal, as its job summary shows it. */
export interface StepSummary {
  /** The step's command, as the host spells it (`run`, `execute`). */
  command: string;
  goalId: string;
  proof: Proof;
  /** A slice's status when the step was about one slice, else null. */
  sliceStatus: string | null;
  /** The plan's slices by wave. */
  slices: readonly { wave: number; slice: string; title: string }[];
  notes: readonly string[];
  dryRunPlan: DeliveryPlan | null;
}

/** GitHub takes 1 MiB of summary per step; the proof gets most of it, folded when it must be. */
const PROOF_CHARS = 800_000;

/**
 * A CI step's job summary: what the step did (status, merge, the run's progress by phase with what
 * failed and what to do, as the bot's status comment shows it, PRs per slice, the plan's waves,
 * notes, a dry run's PRs), then the proof itself (gates, slices, known gaps) as omk renders it for
 * PRs. Everything that came from a user or a tool is escaped.
 */
export function renderStepSummary(
  step: StepSummary,
  progress: RunProgress | null,
  steps: StepSpelling,
): string {
  const { proof } = step;
  const merge = proof.delivery.merge;
  const out: string[] = [
    `# omk ${step.command}: ${code(step.goalId)}`,
    '',
    '| | |',
    '|---|---|',
    `| Status | ${STATUS_ICONS[proof.status]} ${STATUS_LABELS[proof.status]} |`,
  ];
  if (step.sliceStatus !== null) out.push(`| Slice status | ${text(step.sliceStatus)} |`);
  out.push(
    `| Merged | ${merge === null ? 'no' : `yes, into ${code(merge.target, true)} as ${code(shortSha(merge.sha), true)}`} |`,
    `| Pull requests | ${proof.delivery.pullRequests.length} |`,
  );
  if (progress !== null) out.push(...progressSection(progress, step.goalId, steps));
  out.push(...pullRequestsTable(proof), ...wavesTable(step.slices), ...notesList(step.notes, 'Notes'));
  if (step.dryRunPlan !== null) out.push('', ...dryRunSection(step.dryRunPlan));
  out.push('', '---', '', renderCheckSummary(proof, PROOF_CHARS));
  return `${out.join('\n')}\n`;
}

/** The job summary of a step that failed before it had a proof to show. */
export function renderFailureSummary(message: string): string {
  return `# ${STATUS_ICONS.failed} omk failed\n\n${quote(message).join('\n')}\n`;
}
