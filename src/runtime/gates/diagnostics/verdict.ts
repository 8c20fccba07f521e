import { basename } from 'node:path';
import type { GateDiagnostics } from '../../proof/schema.js';
import { gateTool } from '../availability.js';
import { compareDiagnostics } from './compare.js';
import { type Diagnostics, diagnosticText } from './types.js';

/** Gate kinds judged diagnostic by diagnostic against the base. */
export const DIAGNOSTIC_KINDS: readonly string[] = ['lint', 'format', 'typecheck'];

/** At most this many new diagnostics are named in the proof; the counts stay exact. */
const NEW_SHOWN = 5;
const TEXT_CHARS = 300;
/** Sources whose diagnostics are whole files (a formatter's list): a match says nothing of what changed inside. */
const FILE_LEVEL: readonly string[] = ['format-check', 'file-list'];
const FILES_KEPT = 20;

/**
 * The head's diagnostics against the base's, for a gate whose head run failed, or null when they
 * cannot be compared (either side unreadable, or the head's output names none: then the exit
 * codes decide, as before).
 */
export function gateDiagnostics(head: Diagnostics | null, base: Diagnostics | null): GateDiagnostics | null {
  if (head === null || base === null || head.items.length === 0) return null;
  const comparison = compareDiagnostics(base, head);
  const diagnostics: GateDiagnostics = {
    source: head.source,
    new: comparison.added.length,
    fixed: comparison.fixed,
    preExisting: comparison.preExisting,
    firstNew: comparison.added
      .slice(0, NEW_SHOWN)
      .map(diagnosticText)
      .map((text) => (text.length > TEXT_CHARS ? `${text.slice(0, TEXT_CHARS - 1)}…` : text)),
  };
  if (FILE_LEVEL.includes(head.source) && comparison.preExisting > 0) {
    const added = new Set(comparison.added);
    const listed = head.items.filter((item) => !added.has(item)).map((item) => item.file);
    diagnostics.preExistingFiles = [...new Set(listed)].slice(0, FILES_KEPT);
  }
  return diagnostics;
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

/** Package managers and build tools whose first word after the executable says what runs. */
const WITH_SUBCOMMAND = new Set(['npm', 'pnpm', 'yarn', 'bun', 'cargo', 'go', 'uv', 'poetry', 'make']);
/** Runners whose first argument is the tool itself. */
const RUNNERS = new Set(['npx', 'bunx', 'pnpx']);
/** Interpreters whose first argument is a script: the script is the tool. */
const INTERPRETERS = /^(?:sh|bash|dash|zsh|node|python[\d.]*|ruby|perl)$/;

/**
 * The tool a gate runs, as the proof names it: `eslint` for `npx eslint .`, `ruff` for
 * `python -m ruff check`, `lint.sh` for `sh scripts/lint.sh`, `npm run lint` for that script.
 */
export function diagnosticsTool(argv: readonly string[]): string {
  const { executable, module } = gateTool(argv);
  if (module !== null) return module;
  const words = argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const first = words[0];
  if (first === undefined) return executable;
  if (RUNNERS.has(executable)) return basename(first);
  if (WITH_SUBCOMMAND.has(executable)) {
    const second = words[1];
    return first === 'run' && second !== undefined ? `${executable} run ${second}` : `${executable} ${first}`;
  }
  if (INTERPRETERS.test(executable)) {
    // `sh -c "cmd args"`: the command's first word.
    const script = argv.includes('-c') ? (first.trim().split(/\s+/)[0] ?? first) : first;
    return basename(script);
  }
  return executable;
}

/**
 * What a lint, format or typecheck gate's note says when its diagnostics could not be compared
 * with the base's: which side's output omk could not read, and that the exit codes decided.
 */
export function unreadDiagnosticsNote(
  tool: string,
  unread: { head: boolean; base: boolean },
  base12: string | null,
): string {
  const base = base12 === null ? 'the base' : `base ${base12}`;
  const where =
    unread.head && unread.base
      ? `none were read on the head nor on ${base}`
      : unread.head
        ? 'none were read on the head'
        : `none were read on ${base}`;
  return `could not read diagnostics from ${tool} output; judged by exit code (${where})`;
}
