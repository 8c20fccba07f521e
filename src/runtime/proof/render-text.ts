import type { ProofStatus } from '../goal/schema.js';
import { NEUTRAL_STEPS, type StepSpelling } from '../next-steps.js';
import { sandboxOffNote } from '../sandbox/decide.js';
import { tokenCount, usdAmount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
import { gapText } from './gaps.js';
import { preExistingBasis } from './pre-existing.js';
import { requiredGatesNamed } from './required-gates.js';
import type { GateEvidence, Proof } from './schema.js';
import { gateSummaries, namesLine } from './test-summary.js';

export const STATUS_LABELS: Record<ProofStatus, string> = {
  ready: 'ready to merge',
  not_ready: 'not ready',
  failed: 'failed',
  blocked_on_human: 'blocked on a human decision',
};

export const OUTCOME_LABELS: Record<GateEvidence['outcome'], string> = {
  passed: 'passed',
  failed: 'failed',
  pre_existing: 'pre-existing',
  flaky: 'flaky',
  timeout: 'timed out',
  skipped: 'skipped',
  unavailable: 'could not start',
};

/**
 * A gate's outcome in words, honest about its evidence: a gate that fails on the base too but whose
 * failures were compared only by exit code (its diagnostics or tests could not be read) is not
 * called pre-existing, which would claim the base's failures were shown one by one.
 */
export function gateOutcomeLabel(gate: GateEvidence): string {
  return preExistingBasis(gate) === 'exit-code' ? EXIT_CODE_LABEL : OUTCOME_LABELS[gate.outcome];
}

export const EXIT_CODE_LABEL = 'failing on base too, judged by exit code';

/**
 * An outcome as events record it (`pre_existing`, `unavailable`), in the words gateOutcomeLabel
 * gives a gate: `byExitCode` when the event says its base failures were compared by exit code only.
 * A word omk does not know (from a newer omk) is shown as it is.
 */
export function outcomeWords(outcome: string, byExitCode: boolean): string {
  if (outcome === 'pre_existing' && byExitCode) return EXIT_CODE_LABEL;
  return Object.hasOwn(OUTCOME_LABELS, outcome)
    ? OUTCOME_LABELS[outcome as GateEvidence['outcome']]
    : outcome;
}

export function shortSha(sha: string | null): string {
  return sha === null ? 'unknown' : sha.slice(0, 7);
}

export function formatBudget(budget: Proof['budget']): string[] {
  const { limits, spent } = budget;
  const of = (value: string, limit: string | null) =>
    limit === null ? `${value} (no limit)` : `${value} of ${limit}`;
  return [
    `time ${of(formatDuration(spent.timeMs), limits.timeMs === null ? null : formatDuration(limits.timeMs))}`,
    `tokens ${of(tokenCount(spent.tokens), limits.tokens === null ? null : tokenCount(limits.tokens))}`,
    `cost ${of(usdAmount(spent.usd), limits.usd === null ? null : usdAmount(limits.usd))}`,
  ];
}

export function formatDelivery(
  delivery: Proof['delivery'],
  sha: (value: string) => string = shortSha,
): string[] {
  const lines: string[] = [];
  const record = (verb: string, entry: Proof['delivery']['acceptance']) => {
    if (entry === null) return;
    const by = entry.by === undefined ? '' : ` by ${entry.by}`;
    lines.push(`${verb}${by} at ${entry.at} (event #${entry.eventSeq}): ${entry.text}`);
  };
  record('accepted', delivery.acceptance);
  record('rejected', delivery.rejection);
  record('cancelled', delivery.cancellation);
  const { merge } = delivery;
  if (merge !== null) {
    lines.push(`merged ${sha(merge.sha)} into ${merge.target} at ${merge.at} (event #${merge.eventSeq})`);
  }
  return lines;
}

/**
 * Terminal text. User text (goal, gate output, messages) is stripped of control characters so a
 * gate log cannot move the cursor, recolour or retitle the user's terminal.
 */
/** `steps` spells the next steps of gaps, as the front door showing the proof writes them. */
export function renderProofText(proof: Proof, steps: StepSpelling = NEUTRAL_STEPS): string {
  const out: string[] = [];
  // Items may span several lines (a failure and its evidence); the heading counts items.
  const section = (
    title: string,
    items: readonly (string | readonly string[])[],
    empty?: string,
    count = items.length,
  ) => {
    if (items.length === 0 && empty === undefined) return;
    out.push('', `${title}${count > 0 ? ` (${count})` : ''}:`);
    const lines = items.length > 0 ? items.flat() : [empty ?? ''];
    out.push(...lines.map((entry) => `  ${entry}`));
  };
  const { git } = proof;
  out.push(`omk proof: ${proof.status.toUpperCase()} (${STATUS_LABELS[proof.status]})`);
  out.push(
    `Goal ${line(proof.goalId)}${proof.goal.class === null ? '' : ` [${proof.goal.class}]`}: ${line(proof.goal.text)}`,
  );
  const base = `${git.baseRef === null ? '' : `${line(git.baseRef)} @ `}${shortSha(git.baseSha)}`;
  out.push(`Base ${base}  Head ${shortSha(git.headSha)}  Execution ${proof.execution.replace('_', ' ')}`);
  out.push(`Required gates: ${requiredText(proof)}`);
  const offNote = sandboxOffNote(proof.decisions);
  if (offNote !== null) out.push(offNote);

  const gates = proof.gates.length > 0 ? [gateLines(proof.gates)] : [];
  section('Gates', gates, 'none ran', proof.gates.length);
  section(
    'Slices',
    proof.slices.map(
      (slice) =>
        `${slice.status.padEnd(8)} ${line(slice.id)}  ${line(slice.title)}  ` +
        `(${slice.branch === null ? 'no branch' : line(slice.branch)}, head ${shortSha(slice.headSha)}, ` +
        `${slice.attempts} attempt${slice.attempts === 1 ? '' : 's'}, ${slice.changedFiles.length} files)`,
    ),
  );
  section(
    'Changed files',
    proof.changedFiles.map((file) => `+${file.additions} -${file.deletions}  ${line(file.path)}`),
  );
  section(
    'Findings',
    proof.findings.map(
      (finding) =>
        `${finding.severity} (${finding.review}${foundBy(finding.slice)}): ${line(finding.message)}` +
        (finding.paths.length > 0 ? ` [${finding.paths.map(line).join(', ')}]` : ''),
    ),
  );
  section(
    'Known gaps',
    proof.knownGaps.map((gap) => `[${line(gap.code)}] ${line(gapText(gap, steps))}`),
    'none',
  );
  section(
    'Failures',
    proof.failures.map((failure) => [
      `[${line(failure.code)}] ${line(failure.message)}`,
      ...indent(failure.evidence),
    ]),
  );
  section('Warnings', proof.warnings.map(line));
  section(
    'Human decisions',
    proof.humanDecisions.map((decision) => `- ${line(decision)}`),
  );
  section(
    'Delivery',
    [
      ...formatDelivery(proof.delivery).map(line),
      ...proof.delivery.pullRequests.map(
        (pr) =>
          `PR #${pr.number} ${line(pr.url)}${pr.sliceId === null ? '' : ` (slice ${line(pr.sliceId)})`}`,
      ),
    ],
    'nothing delivered yet',
  );
  out.push('', `Budget: ${formatBudget(proof.budget).join(', ')}`);
  out.push(`Events through #${proof.eventsThroughSeq}, generated ${line(proof.generatedAt)}`);
  out.push(`Digest: ${proof.digest}`);
  return `${out.join('\n')}\n`;
}

function gateLines(gates: readonly GateEvidence[]): string[] {
  if (gates.length === 0) return [];
  const rows = [
    ['RESULT', 'GATE', 'KIND', 'REQUIRED', 'SHA', 'EXIT', 'TIME'],
    ...gates.map((gate) => [
      gateOutcomeLabel(gate),
      line(gate.name),
      line(gate.kind),
      gate.required ? 'yes' : 'no',
      shortSha(gate.sha),
      gate.exitCode === null ? '-' : String(gate.exitCode),
      formatDuration(gate.durationMs),
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const table = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const tests = gates
    .flatMap(gateSummaries)
    .flatMap((summary) => [
      `${summary.subject} of ${line(summary.gate)}: ${line(summary.heading)}`,
      ...summary.lists.map((list) => `  ${list.label}: ${namesLine(list, line)}`),
    ]);
  // Tails only for gates that did not plainly pass: that is where a reader needs the output.
  const tails = gates
    .filter((gate) => gate.outcome !== 'passed' && gate.outcome !== 'skipped' && gate.tail.trim() !== '')
    .flatMap((gate) => [`${line(gate.name)} (${gateOutcomeLabel(gate)}) output:`, ...indent(gate.tail)]);
  return [...table, ...tests, ...tails];
}

function indent(text: string): string[] {
  return clean(text.replace(/\s+$/, ''))
    .split('\n')
    .map((entry) => `    ${entry}`);
}

/** One line of user text: control characters replaced, line breaks flattened. */
function line(text: string): string {
  return clean(text.replace(/\r\n?|\n/g, ' '));
}

/** C0/C1 controls (bar tab and newline) and bidi overrides, which can reorder what a terminal shows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE_TERMINAL, '\uFFFD');
}

/** The required kinds, then the gates required on their own by name; 'none' when there are neither. */
function requiredText(proof: Proof): string {
  const all = requiredGatesNamed(proof, line);
  return all.length > 0 ? all.join(', ') : 'none';
}

/** Whose review found a finding: a slice, the integrated tree, or nothing said (an older proof). */
function foundBy(slice: string | null | undefined): string {
  if (slice === undefined) return '';
  return slice === null ? ', integrated tree' : `, slice ${line(slice)}`;
}
