import { code, text } from '../markdown/untrusted.js';
import type { GateEvidence } from './schema.js';
import { gateSummaries, NAMES_SHOWN, namesLine } from './test-summary.js';

/**
 * Each gate's per-test (and per-diagnostic) evidence as Markdown lines (each starting with a blank line), for proofs and
 * PR bodies. `clip` shortens names and headings where a body must fit; `shown` caps names per list.
 */
export function testsMarkdown(
  gates: readonly GateEvidence[],
  {
    clip = (value: string) => value,
    shown = NAMES_SHOWN,
  }: { clip?: (value: string) => string; shown?: number } = {},
): string[] {
  const out: string[] = [];
  for (const summary of gates.flatMap(gateSummaries)) {
    const subject = summary.subject === 'tests' ? 'Tests' : 'Diagnostics';
    out.push('', `**${subject} of ${code(clip(summary.gate))}:** ${text(clip(summary.heading))}`);
    if (summary.lists.length > 0) out.push('');
    for (const list of summary.lists) {
      out.push(`- ${list.label}: ${namesLine(list, (name) => code(clip(name)), shown)}`);
    }
  }
  return out;
}
