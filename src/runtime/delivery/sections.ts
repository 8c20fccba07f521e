import { code, html, quote, text } from '../markdown/untrusted.js';
import { gapText } from '../proof/gaps.js';
import { OUTCOME_ICONS } from '../proof/icons.js';
import { gateOutcomeLabel } from '../proof/render-text.js';
import type { GateEvidence, Proof } from '../proof/schema.js';
import { testsMarkdown } from '../proof/test-summary-markdown.js';
import { clip } from '../text/clip.js';
import { formatDuration } from '../text/duration.js';
import type { Fold } from './fold.js';

/** The body sections whose detail folds: each renders what `fold` allows and says what it folded. */

const TAIL_LINES = 50;

export function gatesSection(title: string, gates: readonly GateEvidence[], fold: Fold): string {
  const out = [`### ${title} (${gates.length})`, ''];
  if (gates.length === 0) return [...out, 'No gate ran.'].join('\n');
  out.push('| Result | Gate | Kind | Required | SHA | Exit | Time |', '|---|---|---|---|---|---|---|');
  for (const gate of gates) {
    out.push(
      `| ${OUTCOME_ICONS[gate.outcome]} ${gateOutcomeLabel(gate)} | ${code(clip(gate.name, fold.textChars), true)} | ` +
        `${code(clip(gate.kind, fold.textChars), true)} | ${gate.required ? 'yes' : 'no'} | ` +
        `${code(gate.sha.slice(0, 7), true)} | ${gate.exitCode ?? '–'} | ${formatDuration(gate.durationMs)} |`,
    );
  }
  // Test names stay when outputs fold: they are the evidence a reviewer reads first.
  const clipName = (value: string) => clip(value, fold.textChars ?? 300);
  out.push(...testsMarkdown(gates, { clip: clipName, shown: fold.tailChars === 0 ? 3 : 10 }));
  const withOutput = gates.filter(
    (gate) => gate.outcome !== 'passed' && gate.outcome !== 'skipped' && gate.tail.trim() !== '',
  );
  if (fold.tailChars === 0 && withOutput.length > 0) {
    out.push('', `_Output of ${withOutput.length} gate(s) folded to fit; it is in the omk/proof check run._`);
  }
  for (const gate of fold.tailChars === 0 ? [] : withOutput) {
    const log = gate.artifact === null ? '' : ` (full log: ${clip(gate.artifact, fold.textChars)})`;
    const summary = `Output of ${clip(gate.name, fold.textChars)}: ${gateOutcomeLabel(gate)}${log}`;
    out.push('', ...details(summary, gate.tail, fold.tailChars));
  }
  return out.join('\n');
}

/** A collapsed block; <pre> is an HTML block that ends only at </pre>, which html() escapes. */
function details(summary: string, body: string, maxChars: number): string[] {
  const { shown, lines, cut } = lastLines(body.trimEnd(), TAIL_LINES, maxChars);
  const note = cut
    ? `(last ${shown.length} characters of ${lines} lines)`
    : lines > TAIL_LINES
      ? `(last ${TAIL_LINES} of ${lines} lines)`
      : '';
  return [
    `<details><summary>${html(summary)}</summary>`,
    '',
    `<pre>${html(note === '' ? shown : `${note}\n${shown}`, false)}</pre>`,
    '',
    '</details>',
  ];
}

/** The last `count` lines, at most `maxChars` of them; linear in what is shown (logs can be huge). */
function lastLines(
  value: string,
  count: number,
  maxChars: number,
): { shown: string; lines: number; cut: boolean } {
  let lines = 1;
  for (let at = value.indexOf('\n'); at !== -1; at = value.indexOf('\n', at + 1)) lines += 1;
  let start = value.length;
  for (let taken = 0; taken < count && start > 0; taken += 1) start = value.lastIndexOf('\n', start - 1);
  let window = value.slice(start + 1);
  const cut = window.length > maxChars;
  if (cut) {
    const from = window.length - maxChars;
    const unit = window.charCodeAt(from);
    window = window.slice(unit >= 0xdc00 && unit <= 0xdfff ? from + 1 : from);
  }
  return { shown: window.replace(/\r\n?/g, '\n'), lines, cut };
}

export function filesSection(files: Proof['changedFiles'], fold: Fold): string {
  const added = files.reduce((sum, file) => sum + file.additions, 0);
  const removed = files.reduce((sum, file) => sum + file.deletions, 0);
  const title = `Changed files (${files.length}, +${added} −${removed})`;
  if (files.length === 0) return `### ${title}\n\nNo files changed.`;
  const shown = files
    .slice(0, fold.filesShown)
    .map((file) => `- ${code(clip(file.path, fold.textChars))} (+${file.additions} −${file.deletions})`);
  if (shown.length === 0)
    return `### ${title}\n\n_The list is folded to fit; the branch diff has every file._`;
  if (shown.length < files.length) shown.push(`- … and ${files.length - shown.length} more`);
  if (files.length <= 10) return [`### ${title}`, '', ...shown].join('\n');
  return [`<details><summary>${html(title)}</summary>`, '', ...shown, '', '</details>'].join('\n');
}

type Coded = { code: string; message: string; evidence?: string };

/**
 * Known gaps and failures, every one listed or every distinct code with its count, for one proof
 * across the folds of one body: thousands of gaps and failures are escaped once per message length
 * and once per evidence size, not once per fold (a body walks up to 18 folds, most of which change
 * neither). Same text as a fresh render of each fold.
 */
export function gapsRenderer(proof: Pick<Proof, 'knownGaps' | 'failures'>): (fold: Fold) => string {
  // PR bodies are read by users of every front door: a gap's next steps in omk's own words.
  const gaps = codedRenderer(proof.knownGaps.map((gap) => ({ code: gap.code, message: gapText(gap) })));
  const failures = codedRenderer(proof.failures);
  return (fold) => {
    const out = [`### Known gaps (${proof.knownGaps.length})`, ''];
    if (proof.knownGaps.length === 0) out.push('None.');
    else out.push(...gaps(fold));
    if (proof.failures.length > 0) {
      out.push('', `### Failures (${proof.failures.length})`, '');
      out.push(...failures(fold));
    }
    return out.join('\n');
  };
}

/** The lines of gaps or failures under a fold; each line and evidence block rendered once per size. */
function codedRenderer(items: readonly Coded[]): (fold: Fold) => string[] {
  let grouped: string[] | undefined;
  const lines = new Map<number | null, string[]>();
  const evidence = new Map<number, (string[] | null)[]>();
  const linesFor = (messageChars: number | null): string[] => {
    let cached = lines.get(messageChars);
    if (cached === undefined) {
      cached = items.map((item) => {
        const message = messageChars === 0 ? '' : ` ${text(clip(item.message, messageChars))}`;
        return `- ${code(item.code)}${message}`;
      });
      lines.set(messageChars, cached);
    }
    return cached;
  };
  const evidenceFor = (tailChars: number): (string[] | null)[] => {
    let cached = evidence.get(tailChars);
    if (cached === undefined) {
      cached = items.map((item) => {
        const body = item.evidence ?? '';
        return body.trim() === '' ? null : details('Evidence', body, tailChars);
      });
      evidence.set(tailChars, cached);
    }
    return cached;
  };
  return (fold) => {
    if (fold.grouped) {
      if (grouped === undefined) {
        const counts = new Map<string, number>();
        for (const item of items) counts.set(item.code, (counts.get(item.code) ?? 0) + 1);
        grouped = [...counts].map(([key, count]) => `- ${code(key)} × ${count}`);
      }
      return grouped;
    }
    const shown = linesFor(fold.messageChars);
    if (fold.tailChars === 0) return shown;
    const blocks = evidenceFor(fold.tailChars);
    // Not indented into the item: a <pre> line without the item's indent would end the list item.
    return shown.flatMap((line, index) => {
      const block = blocks[index] ?? null;
      return block === null ? [line] : [line, '', ...block, ''];
    });
  };
}

export function decisionsSection(decisions: Proof['decisions'], fold: Fold): string {
  const title = `### Decisions (${decisions.length})`;
  if (decisions.length === 0) return '';
  if (!fold.decisions) return `${title}\n\n_Folded to fit; they are in the goal's decisions.jsonl._`;
  const lines = decisions.map(
    (entry) =>
      `- **${text(clip(entry.kind, fold.textChars))}**: ${text(clip(entry.decision, fold.textChars))} — ${text(clip(entry.reason, fold.textChars))}`,
  );
  return [title, '', ...lines].join('\n');
}

/** The goal, quoted line by line. */
export function goalSection(goalText: string, cap: number | null): string {
  return ['### Goal', '', ...quote(clip(goalText, cap))].join('\n');
}

/** Names as code spans, at most `shown` of them; the rest counted. */
export function list(values: readonly string[], shown: number, inTable: boolean): string {
  if (values.length === 0) return 'none';
  const codes = values.slice(0, shown).map((value) => code(clip(value, 200), inTable));
  return values.length > shown ? `${codes.join(', ')} and ${values.length - shown} more` : codes.join(', ');
}
