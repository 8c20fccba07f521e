// What both reviews read, and the small helpers every finding goes through so that equal input
// always renders as equal, identically ordered artifacts.

import type { Finding, GateEvidence } from '../proof/schema.js';
import type { ChangedFile } from '../workspace/port.js';

export interface ReviewInput {
  /** The slice id, or 'integration' for the integration branch. */
  taskId: string;
  /** The slice's normalized write set ("." = the whole repository). */
  writes: readonly string[];
  /** Protected paths the plan explicitly names. */
  allowedProtectedPaths: readonly string[];
  /** From the capture's numstat: binary files show 0 additions and 0 deletions. */
  changedFiles: readonly ChangedFile[];
  /** Unified diff; may end with the capture's truncation marker line. */
  diff: string;
  gates: readonly GateEvidence[];
  /** Paths of files that are binary (from the capture), if known. */
  binaryPaths?: readonly string[];
  /**
   * Whether a line holds a credential omk holds or one shaped like a GitHub token
   * (secrets/scrub.ts createTokenTest): an agent that read one and committed it, in any form omk
   * knows, whatever the review's own formats say.
   */
  holdsToken?: (text: string) => boolean;
  /**
   * The head's committed text of the changed test files, where the caller read them: which test a
   * changed line is in (a table's row far below its `it.each(` line) is read from the whole file.
   */
  headTexts?: ReadonlyMap<string, string>;
}

export type Review = Finding['review'];
export type Severity = Finding['severity'];

const SEVERITY_RANK: Record<Severity, number> = { blocking: 0, warning: 1, info: 2 };

/** A finding whose paths are distinct and in code-unit order, so equal evidence compares equal. */
export function finding(
  review: Review,
  severity: Severity,
  message: string,
  paths: Iterable<string>,
): Finding {
  return { review, severity, message, paths: [...new Set(paths)].sort() };
}

export function hasBlocking(findings: readonly Finding[]): boolean {
  return findings.some((entry) => entry.severity === 'blocking');
}

/**
 * Blocking first, then controller before security, then by path and message. Digit runs compare
 * as numbers so "line 9" comes before "line 12" and an artifact reads in file order.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      compareText(a.review, b.review) ||
      compareText(a.paths.join('\n'), b.paths.join('\n')) ||
      naturalCompare(a.message, b.message),
  );
}

/** Code-unit order: independent of the host's locale, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function naturalCompare(a: string, b: string): number {
  const left = a.match(/\d+|\D+/g) ?? [];
  const right = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const numeric = /^\d/.test(x) && /^\d/.test(y) ? Number(x) - Number(y) : 0;
    const order = numeric || compareText(x, y);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** "1 file" / "2 files". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
