import { type Diagnostic, type Diagnostics, diagnosticKey } from './types.js';

/** The head's diagnostics against the base's, as multisets keyed by file, rule and message. */
export interface DiagnosticComparison {
  /** On the head more times than on the base, in the head's order. */
  added: Diagnostic[];
  /** On the base more times than on the head. */
  fixed: number;
  /** On both: as many as the two share. */
  preExisting: number;
}

/**
 * Counts multiplicity: three copies of one complaint on the head against two on the base is one
 * new diagnostic, wherever the lines moved.
 */
export function compareDiagnostics(base: Diagnostics, head: Diagnostics): DiagnosticComparison {
  const left = new Map<string, number>();
  for (const item of base.items) left.set(diagnosticKey(item), (left.get(diagnosticKey(item)) ?? 0) + 1);
  const added: Diagnostic[] = [];
  let preExisting = 0;
  for (const item of head.items) {
    const key = diagnosticKey(item);
    const remaining = left.get(key) ?? 0;
    if (remaining > 0) {
      left.set(key, remaining - 1);
      preExisting += 1;
    } else added.push(item);
  }
  const fixed = [...left.values()].reduce((sum, count) => sum + count, 0);
  return { added, fixed, preExisting };
}
