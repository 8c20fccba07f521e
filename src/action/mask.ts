// The token inputs the Action masks before anything else prints. Free of imports beyond the token
// mask: the runner's entry (index.ts, CommonJS) bundles it and writes the lines itself.
import { maskValues } from '../adapters/github/token-mask.js';

export const TOKEN_INPUTS = ['github-token', 'ci-token'] as const;

/** What to mask for the token inputs, read as @actions/core's getInput reads them (trimmed). */
export function maskedTokenInputs(env: Record<string, string | undefined>): string[] {
  return TOKEN_INPUTS.flatMap((input) => {
    const token = (env[`INPUT_${input.toUpperCase()}`] ?? '').trim();
    return token === '' ? [] : maskValues(token);
  });
}

/** The runner's `::add-mask::` line for a value, escaped as @actions/core escapes a command's data. */
export function maskLine(value: string): string {
  return `::add-mask::${value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`;
}
