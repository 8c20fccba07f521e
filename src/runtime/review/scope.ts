// The controller's scope check: the graph validator already refused plans that write protected
// paths; this checks what the agent actually changed against what its slice was allowed to change.

import { isWithin, normalizeRepoPath, quoteUntrusted } from '../graph/paths.js';
import { protectedWriteViolation } from '../graph/protected.js';
import type { Finding } from '../proof/schema.js';
import { finding, type ReviewInput, sortFindings } from './input.js';

const WRITES_SHOWN = 10;

/**
 * One blocking finding listing every changed file outside the write set (so one stray agent edit
 * does not bury the artifact in findings), and one blocking finding per protected path the plan
 * did not allow. "." in the write set covers everything except protected paths.
 */
export function reviewScope(input: ReviewInput): Finding[] {
  const writes = input.writes.flatMap((entry) => {
    const check = normalizeRepoPath(entry);
    return check.ok ? [check.path] : [];
  });
  const outside: string[] = [];
  const findings: Finding[] = [];
  for (const file of input.changedFiles) {
    const check = normalizeRepoPath(file.path);
    // A path normalization refuses (".git/...", "../x", controls) lies outside any write set.
    if (!check.ok) {
      outside.push(file.path);
      continue;
    }
    if (!writes.some((write) => isWithin(check.path, write))) outside.push(file.path);
    const violation = protectedWriteViolation(check.path, input.allowedProtectedPaths);
    if (violation !== null) {
      findings.push(finding('controller', 'blocking', `Protected path changed: ${violation}.`, [file.path]));
    }
  }
  if (outside.length > 0) {
    const count = new Set(outside).size;
    findings.push(
      finding(
        'controller',
        'blocking',
        `${count === 1 ? '1 changed file lies' : `${count} changed files lie`} outside the write set of ` +
          `${quoteUntrusted(input.taskId)} (${describeWrites(writes)}); revert them or re-plan the slice to include them.`,
        outside,
      ),
    );
  }
  return sortFindings(findings);
}

function describeWrites(writes: readonly string[]): string {
  if (writes.length === 0) return 'it may write nothing';
  const distinct = [...new Set(writes)].sort();
  const shown = distinct.slice(0, WRITES_SHOWN).map((path) => quoteUntrusted(path));
  const more = distinct.length > WRITES_SHOWN ? `, and ${distinct.length - WRITES_SHOWN} more` : '';
  return `writes: ${shown.join(', ')}${more}`;
}
