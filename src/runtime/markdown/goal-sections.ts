import { keptBranchText } from '../delivery/kept-local.js';
import type { DeliveryPlan, PlannedPr } from '../delivery/plan.js';
import { readyForReviewWords } from '../delivery/ready-for-review.js';
import type { FixState } from '../events/fix-progress.js';
import { fixWords } from '../events/fix-words.js';
import {
  type MergeVerdict,
  type RunProgress,
  type RunStop,
  runningSlices,
  type SliceState,
  settledSlices,
} from '../events/progress.js';
import type { GoalRecord } from '../goal/schema.js';
import { integrationBranchName } from '../graph/branches.js';
import { NEUTRAL_STEPS, type StepSpelling, wordHint } from '../next-steps.js';
import { gapText } from '../proof/gaps.js';
import { OUTCOME_ICONS } from '../proof/icons.js';
import { type ProofPullRequest, pullRequestOf } from '../proof/pull-request-of.js';
import { formatBudget, gateOutcomeLabel, STATUS_LABELS, shortSha } from '../proof/render-text.js';
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
      `${OUTCOME_ICONS[gate.outcome]} ${code(gate.name)} ${gateOutcomeLabel(gate)}${gate.required ? '' : ' (optional)'}`,
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

/** What a dry run of open-pr would open or update, the slices it skips and the branches it keeps local. */
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
        `${labels} | ${draftCell(pull)} | ${pull.checkRun.conclusion} |`,
    );
  }
  for (const skip of plan.skipped) out.push('', `Skipped ${code(skip.sliceId)}: ${text(skip.reason)}`);
  for (const kept of plan.kept)
    out.push('', `Kept ${code(kept.sliceId ?? 'integrator')}: ${text(keptBranchText(kept))}`);
  return out;
}

/** `yes`, `no`, or `no: would mark #3 ready for review …` for a recorded draft delivery un-drafts. */
function draftCell(pull: PlannedPr): string {
  if (pull.draft) return 'yes';
  // omk's own words and a number: `#4` links the PR on GitHub.
  return pull.readyForReview === null ? 'no' : `no: ${readyForReviewWords(pull.readyForReview)}`;
}

/** Notes as a list of escaped text (a merge verdict, a delivery note), under `title` when given. */
export function notesList(notes: readonly string[], title: string | null = null): string[] {
  if (notes.length === 0) return [];
  return ['', ...(title === null ? [] : [`### ${title}`, '']), ...notes.map((note) => `- ${text(note)}`)];
}

const SLICE_ICONS: Record<SliceState, string> = {
  pending: '⏳',
  running: '🔄',
  done: '✅',
  failed: '❌',
  skipped: '⏭️',
  waiting: '🟡',
};

function attempts(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

/**
 * A run in phases, one line each as they happen: planned, the slices running (with their attempt),
 * each slice settled, integrated, PRs opened (links), merged, and, when it stopped short, what
 * failed and what to do, in words (no tool output: the proof and the artifacts keep that). Steps
 * are spelled as `steps` spells them.
 */
const FIX_ICONS: Record<FixState, string> = {
  pending: '⏳',
  running: '🔄',
  committed: '🔧',
  applied: '✅',
  failed: '❌',
};

export function progressSection(
  progress: RunProgress,
  goalId: string,
  steps: StepSpelling = NEUTRAL_STEPS,
): string[] {
  const lines: string[] = [];
  if (progress.planned !== null) lines.push(`- 📝 planned: ${progress.planned} slice(s)`);
  for (const slice of settledSlices(progress)) {
    const how =
      slice.state === 'skipped'
        ? 'skipped: a slice it depends on did not finish'
        : slice.state === 'waiting'
          ? `not done after ${attempts(slice.attempt)}, attempts left for a resume`
          : `${slice.state} after ${attempts(slice.attempt)}`;
    lines.push(`- ${SLICE_ICONS[slice.state]} slice ${code(slice.id)} ${how}`);
  }
  const running = runningSlices(progress);
  if (running.length > 0 && progress.stopped === null) {
    const each = running.map(
      (slice) =>
        `${code(slice.id)} (attempt ${slice.attempt}${slice.rateLimitedUntilMs === null ? '' : ', waiting out a rate limit'})`,
    );
    lines.push(`- ${SLICE_ICONS.running} running: ${each.join(', ')}`);
  }
  for (const fix of progress.fixes) lines.push(`- ${FIX_ICONS[fix.state]} review ${text(fixWords(fix))}`);
  if (progress.integration === 'done') lines.push('- ✅ integrated: the done slices merge cleanly together');
  if (progress.integration === 'repairing')
    lines.push('- 🔧 integration: the merged slices fail where each passed; an agent is repairing it');
  if (progress.integration === 'conflict') lines.push('- ❌ integration: the done slices conflict');
  if (progress.pulls.length > 0) {
    const links = progress.pulls.map(
      (pull) =>
        `${link(`#${pull.number}`, pull.url)} (${pull.sliceId === null ? 'integrator' : code(pull.sliceId)})`,
    );
    lines.push(`- 🔗 pull requests: ${links.join(', ')}`);
  }
  if (progress.merged !== null)
    lines.push(`- 🎉 merged into ${code(progress.merged.target)} as ${code(shortSha(progress.merged.sha))}`);
  else if (progress.mergeVerdict !== null) lines.push(`- ${mergeVerdictLine(progress.mergeVerdict)}`);
  const stop = progress.stopped === null ? null : stopWords(progress.stopped, goalId, steps);
  if (stop?.failed) lines.push(`- ❌ stopped: ${text(stop.what)}`);
  else if (stop !== null) lines.push(`- ⏸️ ${text(stop.what)}`);
  if (lines.length === 0) return [];
  const out = ['', '**Progress**', '', ...lines];
  if (stop?.failed)
    out.push('', `**What failed:** ${text(stop.what)}`, '', `**What to do:** ${text(stop.todo)}`);
  return out;
}

/** The last merge verdict until a later one (or the merge) replaces it, in the words of the merge's own note. */
function mergeVerdictLine(verdict: MergeVerdict): string {
  if (verdict.merge) return `🔀 ${text(`merge of PR #${verdict.pr} cleared by the gate; merging`)}`;
  const why = verdict.reasons.length > 0 ? `: ${verdict.reasons.join('; ')}` : '';
  return `⛔ ${text(`merge blocked by ${verdict.blockedBy ?? 'an unnamed blocker'} (PR #${verdict.pr})${why}`)}`;
}

/** What stopped a run and what a person can do about it, in words. */
export function stopWords(
  stop: RunStop,
  goalId: string,
  steps: StepSpelling = NEUTRAL_STEPS,
): { what: string; todo: string; failed: boolean } {
  const resume = { step: 'resume', goalId } as const;
  switch (stop.kind) {
    case 'slices_failed':
      return {
        what: `slice(s) ${stop.slices.join(', ')} did not pass their gates within their attempts.`,
        todo: wordHint(
          [
            'Read the proof (',
            { step: 'proof', goalId },
            '): it names the failing gates. Fix their cause or state the goal more precisely, then resume the goal (',
            resume,
            ').',
          ],
          steps,
        ),
        failed: true,
      };
    case 'slices_waiting':
      return {
        what: `slice(s) ${stop.slices.join(', ')} did not pass their gates in this run; attempts are left.`,
        todo: wordHint(
          [
            'Read the proof (',
            { step: 'proof', goalId },
            '): it names the failing gates. Resume the goal to try again (',
            resume,
            '), or fix their cause first.',
          ],
          steps,
        ),
        failed: true,
      };
    case 'integration_conflict':
      return {
        what: 'the done slices change the same lines, so they could not be merged together.',
        todo: wordHint(
          [
            `Merge ${stop.branch || 'the slice branch'} into ${integrationBranchName(goalId)} by hand and commit the resolution there (a commit on a slice branch is put back, not merged), or narrow the goal; then resume the goal (`,
            resume,
            ').',
          ],
          steps,
        ),
        failed: true,
      };
    case 'budget':
      return {
        what: "the goal's budget ran out before every slice was done.",
        todo: wordHint(
          ['Extend the budget (', { step: 'budget_add', goalId }, '), then resume the goal (', resume, ').'],
          steps,
        ),
        failed: true,
      };
    case 'interrupted':
      if (stop.by === 'pause' || stop.by === 'cancel')
        return { what: stop.by === 'pause' ? 'paused' : 'cancelled', todo: '', failed: false };
      return {
        what:
          stop.by === 'error'
            ? 'the run stopped on an unexpected error.'
            : 'the run was stopped before it finished (the app restarted or was shut down).',
        todo: wordHint(
          ['Resume the goal (', resume, "); if it stops again, the app's log has the details."],
          steps,
        ),
        failed: true,
      };
  }
}
