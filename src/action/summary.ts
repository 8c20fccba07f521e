import type { DeliveryPlan } from '../runtime/app/index.js';
import {
  code,
  link,
  renderCheckSummary,
  STATUS_ICONS,
  STATUS_LABELS,
  shortSha,
  text,
} from '../runtime/app/render.js';
import type { CommandOutcome } from './outcome.js';

/** GitHub takes 1 MiB of summary per step; the proof gets most of it, folded when it must be. */
const PROOF_CHARS = 800_000;

/**
 * The job summary: what the step did (status, merge, PRs per slice, the plan's waves, notes,
 * a dry run's PRs), then the proof itself (gates, slices, known gaps) as omk renders it for PRs.
 * Everything that came from a user or a tool is escaped.
 */
export function renderSummary(outcome: CommandOutcome): string {
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
  if (proof.delivery.pullRequests.length > 0) {
    out.push('', '### Pull requests', '', '| Slice | Pull request |', '|---|---|');
    for (const pull of proof.delivery.pullRequests) {
      const slice = pull.sliceId === null ? 'integrator' : code(pull.sliceId, true);
      out.push(`| ${slice} | ${link(`#${pull.number}`, pull.url, true)} |`);
    }
  }
  if (outcome.slices.length > 0) {
    out.push('', '### Slices by wave', '', '| Wave | Slice | Title |', '|---|---|---|');
    for (const row of outcome.slices) {
      out.push(`| ${row.wave} | ${code(row.slice, true)} | ${text(row.title)} |`);
    }
  }
  if (outcome.notes.length > 0)
    out.push('', '### Notes', '', ...outcome.notes.map((note) => `- ${text(note)}`));
  if (outcome.dryRunPlan !== null) out.push('', ...dryRunSection(outcome.dryRunPlan));
  out.push('', '---', '', renderCheckSummary(proof, PROOF_CHARS));
  return `${out.join('\n')}\n`;
}

function dryRunSection(plan: DeliveryPlan): string[] {
  const out = [
    `### Dry run: ${plan.pulls.length} pull request(s) open-pr would open or update`,
    '',
    `Policy ${code(plan.policy)}, base ${code(plan.base)}. Nothing was pushed or opened.`,
    '',
    '| Kind | Branch | Title | Labels | Draft | omk/proof |',
    '|---|---|---|---|---|---|',
  ];
  for (const pull of plan.pulls) {
    const kind = pull.kind === 'integrator' ? 'integrator' : `slice ${code(pull.sliceId ?? '', true)}`;
    const labels = pull.labels.map((label) => code(label, true)).join(' ');
    out.push(
      `| ${kind} | ${code(pull.branch, true)} at ${code(shortSha(pull.headSha), true)} | ${text(pull.title)} | ` +
        `${labels} | ${pull.draft ? 'yes' : 'no'} | ${pull.checkRun.conclusion} |`,
    );
  }
  for (const skip of plan.skipped) out.push('', `Skipped ${code(skip.sliceId)}: ${text(skip.reason)}`);
  return out;
}
