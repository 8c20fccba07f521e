// The security review: what in this change could leak a secret, run with the repository's
// secrets, or bring in code nobody reviewed. It reads the diff only; it never opens files.

import { isWithin, normalizeRepoPath, quoteUntrusted } from '../graph/paths.js';
import { protectedWriteViolation, WORKFLOW_PATHS } from '../graph/protected.js';
import type { Finding } from '../proof/schema.js';
import { binaryFindings } from './binaries.js';
import { newDependencies } from './dependencies.js';
import { type DiffFile, parseDiff } from './diff.js';
import { finding, plural, type ReviewInput, sortFindings } from './input.js';
import { findSecrets } from './secrets.js';

/** Per file; past it one summary finding counts the rest, so a key dump cannot flood the artifact. */
export const MAX_SECRET_FINDINGS_PER_FILE = 20;

/**
 * The code of every finding on a changed workflow or local action: the proof and delivery treat
 * them on their own (a person reads an allowed one before its branch is pushed).
 */
export const WORKFLOW_EDITED = 'workflow_edited';

/** The workflow changes a goal created to make them was allowed (not blocking): pushed only once it is accepted. */
export function allowedWorkflowChanges<F extends Pick<Finding, 'code' | 'severity'>>(
  findings: readonly F[],
): F[] {
  return findings.filter((finding) => finding.code === WORKFLOW_EDITED && finding.severity !== 'blocking');
}

export function securityReview(input: ReviewInput): Finding[] {
  const known = new Set(input.changedFiles.map((file) => file.path));
  const diff = parseDiff(input.diff, known);
  const findings: Finding[] = [
    ...diff.files.flatMap((file) => secretFindings(file, input.holdsToken)),
    ...workflowFindings(input),
    ...newDependencies(diff.files).map((dependency) =>
      finding(
        'security',
        'warning',
        `New dependency ${quoteUntrusted(dependency.name)} in ${quoteUntrusted(dependency.manifest)} without ` +
          'rationale; say why it is needed and that it is maintained and trusted.',
        [dependency.manifest],
      ),
    ),
    ...binaryFindings(input, diff.files),
  ];
  if (diff.truncated) {
    const seen = new Set(diff.files.map((file) => file.path));
    const unseen = [...known].filter((path) => !seen.has(path));
    findings.push(
      finding(
        'security',
        'warning',
        `The diff was truncated, so secrets and dependencies were checked in part of the change only` +
          `${unseen.length > 0 ? ` (${plural(unseen.length, 'file')} not seen at all)` : ''}; review the full diff.`,
        unseen,
      ),
    );
  }
  return sortFindings(findings);
}

/** Added lines only: a removed secret is a fix, and a context line was there before this change. */
function secretFindings(file: DiffFile, holdsToken?: (text: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  let hidden = 0;
  let hiddenSeverity: Finding['severity'] = 'warning';
  for (const hunk of file.hunks) {
    for (const line of hunk) {
      if (line.kind !== 'added') continue;
      const matches = findSecrets(line.text);
      if (matches.length === 0 && holdsToken?.(line.text) === true) {
        // Never quoted, not even in part: it is a credential omk holds, or shaped like one.
        findings.push(
          finding(
            'security',
            'blocking',
            `A GitHub credential (a token omk holds, or one shaped like it) added in ` +
              `${quoteUntrusted(file.path)} at line ${line.newLine ?? '?'}; remove it, and revoke it if it is real.`,
            [file.path],
          ),
        );
        continue;
      }
      for (const match of matches) {
        if (findings.length >= MAX_SECRET_FINDINGS_PER_FILE) {
          hidden++;
          if (match.severity === 'blocking') hiddenSeverity = 'blocking';
          continue;
        }
        const message =
          `${match.severity === 'blocking' ? 'Secret' : 'Possible secret'} (${match.kind}) added in ` +
          `${quoteUntrusted(file.path)} at line ${line.newLine ?? '?'}: ${match.redacted}; remove it, ` +
          (match.severity === 'blocking'
            ? 'revoke it, and load it from the environment or a secret store.'
            : 'or confirm it is not a credential.');
        findings.push(finding('security', match.severity, message, [file.path]));
      }
    }
  }
  if (hidden > 0) {
    const message = `${plural(hidden, 'more possible secret')} added in ${quoteUntrusted(file.path)} (not listed).`;
    findings.push(finding('security', hiddenSeverity, message, [file.path]));
  }
  return findings;
}

/**
 * Workflows and local actions run with the repository token and secrets. The controller's scope
 * check flags them too; this finding keeps the security artifact complete on its own, and records
 * allowed edits (info: the goal was created to change them) so a person reads them before any
 * branch holding them is pushed (proof/build.ts, delivery/kept-local.ts).
 */
function workflowFindings(input: ReviewInput): Finding[] {
  return input.changedFiles.flatMap((file) => {
    const check = normalizeRepoPath(file.path);
    if (!check.ok || !WORKFLOW_PATHS.some((dir) => isWithin(check.path, dir))) return [];
    const where = quoteUntrusted(file.path);
    if (protectedWriteViolation(check.path, input.allowedProtectedPaths) === null) {
      const allowed = finding(
        'security',
        'info',
        `Workflow change in ${where} is allowed (the goal was created to change its workflows); ` +
          'a person reads it before it is pushed.',
        [file.path],
      );
      return [{ ...allowed, code: WORKFLOW_EDITED }];
    }
    const blocked = finding(
      'security',
      'blocking',
      `Workflow change in ${where}: workflows run with the repository token and secrets, and the goal ` +
        'was not created to change them; revert it, or start the goal again declaring that it changes its workflows.',
      [file.path],
    );
    return [{ ...blocked, code: WORKFLOW_EDITED }];
  });
}
