// The review artifact (artifacts/reviews/<task>.md): a pure rendering, written by the caller.
// Messages and paths come from agents' diffs, so they are escaped like every other PR text.

import { code, text } from '../markdown/untrusted.js';
import type { Finding } from '../proof/schema.js';
import { sortFindings } from './input.js';

const SECTIONS: readonly { severity: Finding['severity']; title: string }[] = [
  { severity: 'blocking', title: 'Blocking' },
  { severity: 'warning', title: 'Warnings' },
  { severity: 'info', title: 'Info' },
];

/** Paths listed under one finding; the full list stays in the JSON evidence. */
const PATHS_SHOWN = 50;

export function renderReviewMarkdown(findings: readonly Finding[], taskId?: string): string {
  const sorted = sortFindings(findings);
  const blocking = sorted.filter((entry) => entry.severity === 'blocking').length;
  const out: string[] = [`# Review${taskId === undefined ? '' : `: ${code(taskId)}`}`, ''];
  out.push(
    blocking > 0
      ? `**Blocked**: ${blocking} blocking finding${blocking === 1 ? '' : 's'} must be resolved before the proof can be ready.`
      : 'No blocking finding.',
  );
  for (const { severity, title } of SECTIONS) {
    const entries = sorted.filter((entry) => entry.severity === severity);
    if (entries.length === 0) continue;
    out.push('', `## ${title} (${entries.length})`, '');
    for (const entry of entries) {
      out.push(`- **${entry.review}**: ${text(entry.message)}`);
      for (const path of entry.paths.slice(0, PATHS_SHOWN)) out.push(`  - ${code(path)}`);
      if (entry.paths.length > PATHS_SHOWN) out.push(`  - … and ${entry.paths.length - PATHS_SHOWN} more`);
    }
  }
  return `${out.join('\n')}\n`;
}
