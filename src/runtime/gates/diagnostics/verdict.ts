import type { GateDiagnostics } from '../../proof/schema.js';
import { compareDiagnostics } from './compare.js';
import { type Diagnostics, diagnosticText } from './types.js';

/** Gate kinds judged diagnostic by diagnostic against the base. */
export const DIAGNOSTIC_KINDS: readonly string[] = ['lint', 'format', 'typecheck'];

/** At most this many new diagnostics are named in the proof; the counts stay exact. */
const NEW_SHOWN = 5;
const TEXT_CHARS = 300;

/**
 * The head's diagnostics against the base's, for a gate whose head run failed, or null when they
 * cannot be compared (either side unreadable, or the head's output names none: then the exit
 * codes decide, as before).
 */
export function gateDiagnostics(head: Diagnostics | null, base: Diagnostics | null): GateDiagnostics | null {
  if (head === null || base === null || head.items.length === 0) return null;
  const comparison = compareDiagnostics(base, head);
  return {
    source: head.source,
    new: comparison.added.length,
    fixed: comparison.fixed,
    preExisting: comparison.preExisting,
    firstNew: comparison.added
      .slice(0, NEW_SHOWN)
      .map(diagnosticText)
      .map((text) => (text.length > TEXT_CHARS ? `${text.slice(0, TEXT_CHARS - 1)}…` : text)),
  };
}

/** The base's diagnostics: a base run that passed printing nothing readable had none. */
export function baseDiagnostics(passed: boolean, read: Diagnostics | null): Diagnostics | null {
  if (read !== null) return read;
  return passed ? { source: 'file-line-col', items: [] } : null;
}

/** What the gate note says: the new diagnostics named, or that the base has every one of them. */
export function diagnosticsNote(diagnostics: GateDiagnostics, base12: string): string {
  if (diagnostics.new === 0) {
    return `fails on base ${base12} too, with the same ${diagnostics.preExisting} diagnostic(s) (matched by file, rule and message)`;
  }
  const more =
    diagnostics.new > diagnostics.firstNew.length
      ? ` and ${diagnostics.new - diagnostics.firstNew.length} more`
      : '';
  return `${diagnostics.new} diagnostic(s) not on base ${base12}: ${diagnostics.firstNew.join('; ')}${more}`;
}
