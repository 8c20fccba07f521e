/** Why a line is not an argv: quotes outside JSON, JSON that does not parse, or not all strings. */
export type ArgvProblem = 'quotes' | 'not_json' | 'not_strings';

/**
 * One command's argv from a line of text that never reaches a shell, so quotes would not group
 * words: plain words separated by whitespace, or a JSON array of strings when an argument holds
 * spaces or quotes. `text` is trimmed and not empty.
 */
export function argvOfLine(text: string): string[] | { problem: ArgvProblem } {
  if (!text.startsWith('[')) {
    return /["'\\`]/.test(text) ? { problem: 'quotes' } : text.split(/\s+/);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'not_json' };
  }
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) {
    return { problem: 'not_strings' };
  }
  return parsed;
}
