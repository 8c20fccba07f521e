import type { DeliveryPlan } from '../delivery/plan.js';
import type { GoalRecord } from '../goal/schema.js';
import { NEUTRAL_STEPS, type StepSpelling } from '../next-steps.js';
import { gapText } from '../proof/gaps.js';
import { OUTCOME_ICONS } from '../proof/icons.js';
import { type ProofPullRequest, pullRequestOf } from '../proof/pull-request-of.js';
import { formatBudget, OUTCOME_LABELS, STATUS_LABELS, shortSha } from '../proof/render-text.js';
import type { Proof } from '../proof/schema.js';
import { code, link, text } from './untrusted.js';

// Sections of a goal's Markdown shared by the hosts that show it (the bot's status comment, the
// Action's job summary): each a list of lines, everything from a user or a tool escaped.

function prLink(pull: ProofPullRequest | null): string {
  return pull === null ? '–' : link(`#${pull.number}`, pull.url, true);
}

/** Each slice with its status, attempts and PR, then the integrator PR when there is one. */
export function slicesTable(proof: Proof): string[] {
  if (proof.slices.length === 0) return [];
  const rows = proof.slices.map(
    (slice) =>
      `| ${code(slice.id, true)} | ${text(slice.title)} | ${slice.status} | ${slice.attempts} | ${prLink(pullRequestOf(proof, slice.id))} |`,
  );
  const integrator = pullRequestOf(proof, null);
  const last = integrator === null ? [] : [`| integration | all slices | – | – | ${prLink(integrator)} |`];
  return ['', '| Slice | Title | Status | Attempts | PR |', '|---|---|---|---|---|', ...rows, ...last];
}

/** The gates on one line: icon, name, outcome, and whether they were optional. */
export function gatesLine(proof: Proof): string[] {
  if (proof.gates.length === 0) return [];
  const gates = proof.gates.map(
    (gate) =>
      `${OUTCOME_ICONS[gate.outcome]} ${code(gate.name)} ${OUTCOME_LABELS[gate.outcome]}${gate.required ? '' : ' (optional)'}`,
  );
  return ['', `**Gates:** ${gates.join(' · ')}`];
}

/** How a goal ended: merged or its status, known gaps (next steps as `steps` spells them), decisions, budget. */
export function finalSummary(goal: GoalRecord, proof: Proof, steps: StepSpelling = NEUTRAL_STEPS): string[] {
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
          ...proof.knownGaps.map((g) => `  - ${code(g.code)} ${text(gapText(g, steps))}`),
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

/** Every pull request of the goal, by slice (the integrator last as it was recorded). */
export function pullRequestsTable(proof: Proof): string[] {
  if (proof.delivery.pullRequests.length === 0) return [];
  const rows = proof.delivery.pullRequests.map((pull) => {
    const slice = pull.sliceId === null ? 'integrator' : code(pull.sliceId, true);
    return `| ${slice} | ${prLink(pull)} |`;
  });
  return ['', '### Pull requests', '', '| Slice | Pull request |', '|---|---|', ...rows];
}

/** The plan's slices by dependency wave. */
export function wavesTable(rows: readonly { wave: number; slice: string; title: string }[]): string[] {
  if (rows.length === 0) return [];
  return [
    '',
    '### Slices by wave',
    '',
    '| Wave | Slice | Title |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.wave} | ${code(row.slice, true)} | ${text(row.title)} |`),
  ];
}

/** What a dry run of open-pr would open or update, and the slices it skips. */
export function dryRunSection(plan: DeliveryPlan): string[] {
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

/** Notes as a list of escaped text (a merge verdict, a delivery note), under `title` when given. */
export function notesList(notes: readonly string[], title: string | null = null): string[] {
  if (notes.length === 0) return [];
  return ['', ...(title === null ? [] : [`### ${title}`, '']), ...notes.map((note) => `- ${text(note)}`)];
}
