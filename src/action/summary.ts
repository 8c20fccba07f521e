import type { RunProgress } from '../runtime/app/index.js';
import {
  code,
  dryRunSection,
  notesList,
  progressSection,
  pullRequestsTable,
  renderCheckSummary,
  STATUS_ICONS,
  STATUS_LABELS,
  shortSha,
  text,
  wavesTable,
} from '../runtime/app/render.js';
import type { CommandOutcome } from './outcome.js';
import { ACTION_STEPS } from './wording.js';

/** GitHub takes 1 MiB of summary per step; the proof gets most of it, folded when it must be. */
const PROOF_CHARS = 800_000;

/**
 * The job summary: what the step did (status, merge, the run's progress by phase with what failed
 * and what to do, as the bot's status comment shows it, PRs per slice, the plan's waves, notes, a
 * dry run's PRs), then the proof itself (gates, slices, known gaps) as omk renders it for PRs.
 * Everything that came from a user or a tool is escaped.
 */
export function renderSummary(outcome: CommandOutcome, progress: RunProgress | null = null): string {
  const { proof } = outcome;
  const merge = proof.delivery.merge;
  const out: string[] = [
    `# omk ${outcome.command}: ${code(outcome.goalId)}`,
    '',
    '| | |',
    '|---|---|',
    `| Status | ${STATUS_ICONS[proof.status]} ${STATUS_LABELS[proof.status]} |`,
  ];
  if (outcome.sliceStatus !== null) out.push(`| Slice status | ${text(outcome.sliceStatus)} |`);
  out.push(
    `| Merged | ${merge === null ? 'no' : `yes, into ${code(merge.target, true)} as ${code(shortSha(merge.sha), true)}`} |`,
    `| Pull requests | ${proof.delivery.pullRequests.length} |`,
  );
  if (progress !== null) out.push(...progressSection(progress, outcome.goalId, ACTION_STEPS));
  out.push(...pullRequestsTable(proof), ...wavesTable(outcome.slices), ...notesList(outcome.notes, 'Notes'));
  if (outcome.dryRunPlan !== null) out.push('', ...dryRunSection(outcome.dryRunPlan));
  out.push('', '---', '', renderCheckSummary(proof, PROOF_CHARS));
  return `${out.join('\n')}\n`;
}
