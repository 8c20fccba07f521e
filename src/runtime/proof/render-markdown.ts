import { code, html, link, quote, text } from '../markdown/untrusted.js';
import { NEUTRAL_STEPS, type StepSpelling } from '../next-steps.js';
import { sandboxOffNote } from '../sandbox/decide.js';
import { formatDuration } from '../text/duration.js';
import { gapText } from './gaps.js';
import { OUTCOME_ICONS, STATUS_ICONS } from './icons.js';
import { formatBudget, formatDelivery, gateOutcomeLabel, STATUS_LABELS, shortSha } from './render-text.js';
import { requiredGatesNamed } from './required-gates.js';
import type { Proof, ProofFinding } from './schema.js';
import { testsMarkdown } from './test-summary-markdown.js';

/** A GitHub comment holds 65,536 characters: long outputs are cut to their last lines. */
const TAIL_LINES = 50;
const FILES_SHOWN = 100;
const FILES_OPEN = 10;

/**
 * GitHub-flavoured Markdown for PR bodies, comments and job summaries. Everything that came from a
 * user or a tool goes through markdown/untrusted.ts for the context it lands in (inline text, code
 * span, table cell, HTML block) so it can neither break the layout, inject HTML nor @-mention people.
 */
/** `steps` spells the next steps of gaps, as the front door showing the proof writes them. */
export function renderProofMarkdown(proof: Proof, steps: StepSpelling = NEUTRAL_STEPS): string {
  const out: string[] = [];
  const { git } = proof;
  out.push(`## ${STATUS_ICONS[proof.status]} omk proof: ${STATUS_LABELS[proof.status]}`, '');
  out.push(...quote(proof.goal.text), '');
  const base = `${git.baseRef === null ? '' : `${code(git.baseRef, true)} at `}${sha(git.baseSha)}`;
  const required = requiredGatesNamed(proof, (name) => code(name, true)).join(', ');
  out.push(
    '| | |',
    '|---|---|',
    `| Goal | ${code(proof.goalId, true)}${proof.goal.class === null ? '' : ` (${proof.goal.class})`} |`,
    `| Base | ${base} |`,
    `| Head | ${sha(git.headSha)} |`,
    `| Execution | ${proof.execution.replace('_', ' ')} |`,
    `| Required gates | ${required === '' ? 'none' : required} |`,
  );
  const offNote = sandboxOffNote(proof.decisions);
  if (offNote !== null) out.push(`| Sandbox | ${offNote} |`);

  out.push('', '### Gates', '');
  if (proof.gates.length === 0) out.push('No gate ran.');
  else {
    out.push('| Result | Gate | Kind | Required | SHA | Exit | Time |', '|---|---|---|---|---|---|---|');
    for (const gate of proof.gates) {
      const exit = gate.exitCode === null ? '–' : String(gate.exitCode);
      out.push(
        `| ${OUTCOME_ICONS[gate.outcome]} ${gateOutcomeLabel(gate)} | ${code(gate.name, true)} | ` +
          `${code(gate.kind, true)} | ${gate.required ? 'yes' : 'no'} | ${sha(gate.sha)} | ${exit} | ` +
          `${formatDuration(gate.durationMs)} |`,
      );
    }
    out.push(...reusedMarkdown(proof.gates));
    out.push(...testsMarkdown(proof.gates));
    for (const gate of proof.gates) {
      if (gate.outcome === 'passed' || gate.outcome === 'skipped' || gate.tail.trim() === '') continue;
      const log = gate.artifact === null ? '' : ` (full log: ${gate.artifact})`;
      out.push('', ...details(`Output of ${gate.name}: ${gateOutcomeLabel(gate)}${log}`, gate.tail));
    }
  }

  if (proof.slices.length > 0) {
    out.push('', '### Slices', '', '| Status | Slice | Title | Branch | Head | Attempts | Files |');
    out.push('|---|---|---|---|---|---|---|');
    for (const slice of proof.slices) {
      const branch = slice.branch === null ? '–' : code(slice.branch, true);
      out.push(
        `| ${slice.status} | ${code(slice.id, true)} | ${text(slice.title)} | ${branch} | ` +
          `${sha(slice.headSha)} | ${slice.attempts} | ${slice.changedFiles.length} |`,
      );
    }
  }

  if (proof.changedFiles.length > 0) {
    const files = proof.changedFiles
      .slice(0, FILES_SHOWN)
      .map((file) => `- ${code(file.path)} (+${file.additions} −${file.deletions})`);
    const more = proof.changedFiles.length - files.length;
    if (more > 0) files.push(`- … and ${more} more`);
    const title = `Changed files (${proof.changedFiles.length})`;
    if (proof.changedFiles.length <= FILES_OPEN) out.push('', `### ${title}`, '', ...files);
    else out.push('', `<details><summary>${html(title)}</summary>`, '', ...files, '', '</details>');
  }

  out.push(...findingsMarkdown(proof));
  out.push('', `### Known gaps (${proof.knownGaps.length})`, '');
  if (proof.knownGaps.length === 0) out.push('None.');
  else out.push(...proof.knownGaps.map((gap) => `- ${code(gap.code)} ${text(gapText(gap, steps))}`));
  if (proof.failures.length > 0) {
    out.push('', `### Failures (${proof.failures.length})`);
    for (const failure of proof.failures) {
      out.push('', `- ${code(failure.code)} ${text(failure.message)}`);
      if (failure.evidence.trim() !== '') out.push('', ...details('Evidence', failure.evidence));
    }
  }
  list(out, 'Warnings', proof.warnings.map(text));
  list(out, 'Human decisions', proof.humanDecisions.map(text));

  const delivery = [
    ...formatDelivery(proof.delivery, (value) => value).map(text),
    ...proof.delivery.pullRequests.map(
      (pr) => `${link(`#${pr.number}`, pr.url)}${pr.sliceId === null ? '' : ` (slice ${code(pr.sliceId)})`}`,
    ),
  ];
  list(out, 'Delivery', delivery.length > 0 ? delivery : ['Nothing delivered yet.']);
  out.push('', `**Budget:** ${formatBudget(proof.budget).map(text).join(' · ')}`);
  out.push(
    '',
    `<sub>Events through #${proof.eventsThroughSeq} · generated ${html(proof.generatedAt)} · ` +
      `digest <code>${html(proof.digest)}</code></sub>`,
  );
  return `${out.join('\n')}\n`;
}

function findingLine(finding: ProofFinding): string {
  return (
    `- **${finding.severity}** (${finding.review} review): ${text(finding.message)}` +
    (finding.paths.length > 0 ? ` — ${finding.paths.map((path) => code(path)).join(', ')}` : '')
  );
}

/**
 * The review findings, under the slice whose review found each (in the plan's order), then those
 * of the integrated tree. A proof from before findings named their slice lists them as they are.
 */
function findingsMarkdown(proof: Proof): string[] {
  const { findings } = proof;
  if (findings.length === 0) return [];
  const head = ['', `### Findings (${findings.length})`];
  if (findings.every((finding) => finding.slice === undefined)) {
    return [...head, '', ...findings.map(findingLine)];
  }
  const titles = new Map(proof.slices.map((slice) => [slice.id, slice.title]));
  const groups = new Map<string | null | undefined, ProofFinding[]>();
  for (const id of [...titles.keys(), null]) groups.set(id, []);
  for (const finding of findings) {
    const group = groups.get(finding.slice) ?? [];
    groups.set(finding.slice, [...group, finding]);
  }
  const out = [...head];
  for (const [id, group] of groups) {
    if (group.length === 0) continue;
    const title = typeof id === 'string' ? titles.get(id) : undefined;
    const name =
      typeof id === 'string'
        ? `Slice ${code(id)}${title === undefined ? '' : `: ${text(title)}`}`
        : id === null
          ? 'Integrated tree'
          : 'Not attributed to a slice';
    out.push('', `#### ${name} (${group.length})`, '', ...group.map(findingLine));
  }
  return out;
}

function list(out: string[], title: string, items: readonly string[]): void {
  if (items.length > 0) out.push('', `### ${title}`, '', ...items.map((item) => `- ${item}`));
}

/** A collapsed block; <pre> is an HTML block that ends only at </pre>, which html() escapes. */
function details(summary: string, body: string): string[] {
  const lines = body.replace(/\s+$/, '').split(/\r\n?|\n/);
  const cut = lines.length > TAIL_LINES ? `(last ${TAIL_LINES} of ${lines.length} lines)\n` : '';
  const shown = lines.slice(-TAIL_LINES).join('\n');
  return [
    `<details><summary>${html(summary)}</summary>`,
    '',
    `<pre>${html(cut + shown, false)}</pre>`,
    '',
    '</details>',
  ];
}

function sha(value: string | null): string {
  return value === null ? '_unknown_' : code(shortSha(value), true);
}

/** Where the integrated tree took a slice's gate results: which slice, on which commit and tree. */
function reusedMarkdown(gates: Proof['gates']): string[] {
  const lines = new Map<string, string[]>();
  for (const gate of gates) {
    if (gate.reusedFrom === undefined) continue;
    const { slice, sha: from, tree } = gate.reusedFrom;
    const key = `Same tree as slice ${code(slice, true)} (${sha(from)}, tree ${code(tree.slice(0, 12), true)}): its gate results, not run again:`;
    lines.set(key, [...(lines.get(key) ?? []), code(gate.name, true)]);
  }
  return [...lines].map(([key, names]) => `\n${key} ${names.join(', ')}.`);
}
