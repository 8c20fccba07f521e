/** Which shape of output a gate's diagnostics were read from. */
export const DIAGNOSTIC_SOURCES = [
  'tsc',
  'rustc',
  'biome',
  'ruff',
  'eslint-stylish',
  'xo',
  'format-check',
  'file-list',
  'file-line-col',
] as const;
export type DiagnosticSource = (typeof DIAGNOSTIC_SOURCES)[number];

/**
 * One lint, format or typecheck complaint, normalized: the file relative to the tree the gate ran
 * in, the rule (or code) and the message. Line and column are kept for people, never for matching:
 * an edit above a complaint moves it without changing it.
 */
export interface Diagnostic {
  file: string;
  line: number | null;
  column: number | null;
  rule: string;
  message: string;
}

export interface Diagnostics {
  source: DiagnosticSource;
  items: Diagnostic[];
}

/** What matches a diagnostic on the base: file, rule and message, never the line. */
export function diagnosticKey(item: Diagnostic): string {
  return JSON.stringify([item.file, item.rule, item.message]);
}

/** `file:line:col rule message`, as the proof names it. */
export function diagnosticText(item: Diagnostic): string {
  const at = item.line === null ? '' : `:${item.line}${item.column === null ? '' : `:${item.column}`}`;
  return `${item.file}${at} ${item.rule} ${item.message}`.trimEnd();
}
