import type { DeliveryPolicy, GoalRecord, MergePolicy, ProofStatus } from '../goal/schema.js';
import type { Task } from '../graph/schema.js';
import { code, html, link, text } from '../markdown/untrusted.js';
import { STATUS_ICONS } from '../proof/icons.js';
import { STATUS_LABELS } from '../proof/render-text.js';
import type { Finding, GateEvidence, Proof } from '../proof/schema.js';
import { sandboxOffNote } from '../sandbox/decide.js';
import { clip } from '../text/clip.js';
import { byFields, type Fold, fitSections, foldSequence, type Section } from './fold.js';
import { renderProofBlock, renderProofDigestBlock } from './proof-block.js';
import { decisionsSection, filesSection, gapsRenderer, gatesSection, goalSection, list } from './sections.js';

/** GitHub refuses a PR body longer than this. JS length counts UTF-16 units, never fewer than GitHub. */
export const MAX_BODY_CHARS = 65_536;
const MAX_TITLE_CHARS = 256;

export type ChangedFile = Proof['changedFiles'][number];

export interface SliceBodyInput {
  goal: GoalRecord;
  /** The goal's current proof. */
  proof: Proof;
  slice: {
    task: Task;
    branch: string;
    headSha: string | null;
    changedFiles: ChangedFile[];
    gates: GateEvidence[];
    findings: Finding[];
  };
  /** The other slices' PRs; url is null until the PR is open. */
  siblings: { id: string; title: string; url: string | null }[];
  integrator: { url: string | null };
}

export interface IntegratorBodyInput {
  goal: GoalRecord;
  proof: Proof;
  /** The policy this delivery opens PRs under (an open-pr may differ from the goal's `local`). */
  policy: Exclude<DeliveryPolicy, 'local'>;
  slices: { id: string; title: string; url: string | null; status: string }[];
  branch: string;
}

/** One status label at a time: delivery removes the others in OMK_STATUS_LABELS. */
export const PROOF_STATUS_LABELS: Record<ProofStatus, string> = {
  ready: 'omk:proof-ready',
  not_ready: 'omk:not-ready',
  failed: 'omk:failed',
  blocked_on_human: 'omk:blocked',
};
export const OMK_STATUS_LABELS: readonly string[] = Object.values(PROOF_STATUS_LABELS);

/** Labels for an omk PR; `local` delivery opens no PR, so it has none. */
export function labelsFor(
  policy: DeliveryPolicy,
  proofStatus: ProofStatus,
  kind: 'slice' | 'integrator',
): string[] {
  if (policy === 'local') return [];
  return ['omk', `omk:${kind}`, PROOF_STATUS_LABELS[proofStatus]];
}

/** `fix-the-crash-3fa9c1` → `3fa9c1`: the random suffix is what tells goals apart. */
export function shortGoalId(id: string): string {
  return /-([0-9a-f]{6})$/.exec(id)?.[1] ?? id.slice(0, 12);
}

export function renderSliceTitle(input: Pick<SliceBodyInput, 'goal' | 'slice'>): string {
  return title(input.slice.task.title, `[${shortGoalId(input.goal.id)}/${input.slice.task.id}]`);
}

export function renderIntegratorTitle(input: Pick<IntegratorBodyInput, 'goal'>): string {
  return title(input.goal.goal.text, `[${shortGoalId(input.goal.id)}]`);
}

/** Titles are plain text: one line, invisible characters removed, at most 256 characters. */
function title(subject: string, suffix: string): string {
  const flat = subject
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control, bidi and zero-width characters go.
    .replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // clip() may add one character (…): 'omk: ' + subject + '…' + ' ' + suffix fits exactly.
  const room = MAX_TITLE_CHARS - 'omk: '.length - suffix.length - 2;
  const result = `omk: ${clip(flat === '' ? 'untitled' : flat, Math.max(room, 1))} ${suffix}`;
  return result.length <= MAX_TITLE_CHARS ? result : clip(result, MAX_TITLE_CHARS - 1);
}

export function renderSlicePrBody(input: SliceBodyInput): string {
  const { render, folds } = sliceBodySections(input);
  return fitSections(render, folds, MAX_BODY_CHARS);
}

export function renderIntegratorPrBody(input: IntegratorBodyInput): string {
  const { render, folds } = integratorBodySections(input);
  return fitSections(render, folds, MAX_BODY_CHARS);
}

/** A body's sections under any fold of `folds`, most detail first. */
export interface BodySections {
  render: (fold: Fold) => Section[];
  folds: Fold[];
}

/**
 * The sections both bodies have, each rendered again only when a fold field it reads changed:
 * the gates (under `gatesTitle`), the changed files, the gaps and the decisions.
 */
function sharedSections(
  proof: Proof,
  gatesTitle: string,
  gateList: Proof['gates'],
  changedFiles: Proof['changedFiles'],
) {
  return {
    gates: byFields(['textChars', 'tailChars'], (fold) => gatesSection(gatesTitle, gateList, fold)),
    files: byFields(['filesShown', 'textChars'], (fold) => filesSection(changedFiles, fold)),
    gaps: byFields(['messageChars', 'grouped', 'tailChars'], gapsRenderer(proof)),
    decisions: byFields(['decisions', 'textChars'], (fold) => decisionsSection(proof.decisions, fold)),
  };
}

/**
 * A slice body's sections under any fold, for one input: each section is rendered again only when
 * a fold field it reads changed, gaps and failures once per message and evidence size.
 */
export function sliceBodySections(input: SliceBodyInput): BodySections {
  const { proof, slice } = input;
  const blocks = proofBlocks(proof);
  const texts = byFields(['textChars'], (fold) => sliceTexts(input, fold.textChars));
  const { gates, files, gaps, decisions } = sharedSections(
    proof,
    'Gates on this slice',
    slice.gates,
    slice.changedFiles,
  );
  const render = (fold: Fold): Section[] => {
    const text = texts(fold);
    return [
      cuttable(text.header),
      cuttable(text.goal),
      cuttable(text.slice),
      cuttable(gates(fold)),
      cuttable(text.findings),
      cuttable(files(fold)),
      { text: gaps(fold), keep: true },
      cuttable(decisions(fold)),
      cuttable(text.related),
      blockSection(proof, fold, blocks),
    ];
  };
  return { render, folds: foldSequence(blocks.fullFits) };
}

/** An integrator body's sections under any fold (as sliceBodySections). */
export function integratorBodySections(input: IntegratorBodyInput): BodySections {
  const { proof } = input;
  const blocks = proofBlocks(proof);
  const texts = byFields(['textChars'], (fold) => integratorTexts(input, fold.textChars));
  const head =
    proof.git.headSha === null
      ? 'the integrated head (unknown)'
      : `head ${code(proof.git.headSha.slice(0, 7))}`;
  const { gates, files, gaps, decisions } = sharedSections(
    proof,
    `Gates on ${head}`,
    proof.gates,
    proof.changedFiles,
  );
  const render = (fold: Fold): Section[] => {
    const text = texts(fold);
    return [
      cuttable(text.header),
      cuttable(text.goal),
      cuttable(text.slices),
      cuttable(gates(fold)),
      cuttable(files(fold)),
      { text: gaps(fold), keep: true },
      cuttable(text.mergePolicy),
      cuttable(decisions(fold)),
      blockSection(proof, fold, blocks),
    ];
  };
  return { render, folds: foldSequence(blocks.fullFits) };
}

interface Blocks {
  /** null when the full proof cannot fit (it is then never rendered). */
  full: string | null;
  digest: string;
  fullFits: boolean;
}

function proofBlocks(proof: Proof): Blocks {
  const digest = renderProofDigestBlock(proof, MAX_BODY_CHARS / 4);
  // base64 is 4/3 of the JSON, which is longer than its strings: skip encoding what cannot fit.
  if ((stringsLength(proof) * 4) / 3 >= MAX_BODY_CHARS) return { full: null, digest, fullFits: false };
  const full = renderProofBlock(proof);
  return { full, digest, fullFits: full.length < MAX_BODY_CHARS };
}

function stringsLength(proof: Proof): number {
  const sum = (values: readonly string[]) => values.reduce((total, value) => total + value.length, 0);
  return (
    proof.goal.text.length +
    sum(proof.gates.map((gate) => gate.tail)) +
    sum(proof.knownGaps.map((gap) => gap.message)) +
    sum(proof.failures.flatMap((failure) => [failure.message, failure.evidence]))
  );
}

/** The slice body's sections that read only the cap on free text. */
function sliceTexts(input: SliceBodyInput, cap: number | null) {
  const { goal, proof, slice } = input;
  const { task } = slice;
  const many = (values: readonly string[], inTable = true) =>
    list(values, cap === null ? values.length : 20, inTable);
  const rows = [
    ['Task', `${code(task.id, true)} (${task.status}, ${task.attempts} attempt(s), ${task.risk} risk)`],
    ['Owner role', text(clip(task.ownerRole, cap))],
    ['Write scope', many(task.writes)],
    ['Depends on', many(task.dependsOn)],
    ['Branch', code(clip(slice.branch, cap), true)],
    ['Head', slice.headSha === null ? '_not pushed yet_' : code(slice.headSha, true)],
  ];
  const acceptance = task.acceptance.map((entry) => `- ${text(clip(entry, cap))}`);
  const sliceText = [
    '### This slice',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| ${key} | ${value} |`),
    ...(acceptance.length > 0 ? ['', '**Acceptance**', '', ...acceptance] : []),
  ].join('\n');
  const findings = slice.findings.map(
    (finding) =>
      `- **${finding.severity}** (${finding.review} review): ${text(clip(finding.message, cap))}` +
      (finding.paths.length > 0 ? ` — ${many(finding.paths, false)}` : ''),
  );
  const related = [
    `- Integrator: ${linkOrNote('integrator pull request', input.integrator.url)}`,
    ...input.siblings.map(
      (sibling) =>
        `- Slice ${code(clip(sibling.id, cap))}: ${linkOrNote(clip(sibling.title, cap), sibling.url)}`,
    ),
  ];
  return {
    header:
      `## ${STATUS_ICONS[proof.status]} omk slice: ${text(clip(task.title, cap))}\n\n` +
      `One slice of goal ${code(goal.id)}; the integrator pull request combines the slices. ` +
      `Goal proof: **${STATUS_LABELS[proof.status]}**.${offLine(proof)}`,
    goal: goalSection(goal.goal.text, cap),
    slice: sliceText,
    findings:
      findings.length > 0 ? [`### Review findings (${findings.length})`, '', ...findings].join('\n') : '',
    related: ['### Related pull requests', '', ...related].join('\n'),
  };
}

const DELIVERY_TEXT: Record<Exclude<DeliveryPolicy, 'local'>, string> = {
  'draft-pr': 'pull requests are opened as drafts',
  'auto-pr': 'pull requests are opened ready for review',
};
const MERGE_TEXT: Record<MergePolicy, string> = {
  disabled: 'omk never merges; a person does',
  manual: 'omk merges only when a person asks, and only under the conditions of `gated`',
  gated:
    "omk merges only when the proof is ready and names this pull request's head and base, required " +
    'checks are green and reviews are satisfied; the merge is pinned to the head SHA it checked',
};

/** The integrator body's sections that read only the cap on free text. */
function integratorTexts(input: IntegratorBodyInput, cap: number | null) {
  const { goal, proof } = input;
  const rows = input.slices.map(
    (slice) =>
      `| ${text(clip(slice.status, cap))} | ${code(clip(slice.id, cap), true)} | ${text(clip(slice.title, cap))} | ` +
      `${linkOrNote('pull request', slice.url, true)} |`,
  );
  const { policy } = input;
  const { mergePolicy } = goal.options;
  return {
    header:
      `## ${STATUS_ICONS[proof.status]} omk integration: ${STATUS_LABELS[proof.status]}\n\n` +
      `Combines the ${input.slices.length} slice(s) of goal ${code(goal.id)} on ${code(clip(input.branch, cap))}.${offLine(proof)}${acceptedLine(proof, cap)}`,
    goal: goalSection(goal.goal.text, cap),
    slices: [
      `### Slices (${rows.length})`,
      '',
      '| Status | Slice | Title | Pull request |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
    mergePolicy: [
      '### Merge policy',
      '',
      `- Delivery \`${policy}\`: ${DELIVERY_TEXT[policy]}.`,
      `- Merge \`${mergePolicy}\`: ${MERGE_TEXT[mergePolicy]}.`,
    ].join('\n'),
  };
}

/** The header's line saying the agents ran unsandboxed by the user's choice; '' when they did not. */
function offLine(proof: Proof): string {
  const note = sandboxOffNote(proof.decisions);
  return note === null ? '' : `\n\n${text(note)}`;
}

/** The header's line saying who accepted the goal, when and what they checked; '' when no one has. */
function acceptedLine(proof: Proof, cap: number | null): string {
  const accepted = proof.delivery.acceptance;
  if (accepted === null) return '';
  const by = accepted.by === undefined ? '' : ` by ${text(accepted.by)}`;
  return `\n\n**Accepted**${by} at ${accepted.at}: ${text(clip(accepted.text, cap))}`;
}

/** A PR that is not open yet has no URL to link. */
function linkOrNote(label: string, url: string | null, inTable = false): string {
  return url === null ? `${text(label)} (not opened yet)` : link(label, url, inTable);
}

function cuttable(body: string): Section {
  return { text: body, keep: false };
}

/** Always last, so that readProofBlock (which reads the last block) finds omk's own. */
function blockSection(proof: Proof, fold: Fold, blocks: Blocks): Section {
  const form =
    fold.block === 'full' && blocks.full !== null
      ? 'the full proof'
      : 'the proof digest (the full proof did not fit)';
  const footer =
    `<sub>Generated by omk from proof ${html(proof.digest)} (generated ${html(proof.generatedAt)}). ` +
    `The hidden block below holds ${form}; omk reads it back and detects an edit.</sub>`;
  const block = fold.block === 'full' && blocks.full !== null ? blocks.full : blocks.digest;
  return { text: `${footer}\n\n${block}`, keep: true };
}
