import { z } from 'zod';

const MAX_ARGS = 64;
const MAX_ARG_CHARS = 4096;
const JSON_EXAMPLE = `agent-args: '["--append-system-prompt", "keep the diff small"]'`;

/**
 * `agent-args`: extra arguments for the agent's command, as an argv array. Nothing here ever
 * reaches a shell, so quotes would not group words: either plain words separated by whitespace,
 * or a JSON array of strings when an argument holds spaces or quotes.
 */
export const agentArgsSchema = z.string().transform((raw, ctx): string[] => {
  const text = raw.trim();
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `agent-args: ${message}` });
    return z.NEVER;
  };
  if (text === '') return [];
  let args: string[];
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail(`'${raw}' is not a JSON array of strings. Example: ${JSON_EXAMPLE}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) {
      return fail(`'${raw}' must be a JSON array of strings. Example: ${JSON_EXAMPLE}`);
    }
    args = parsed;
  } else {
    if (/["'\\`]/.test(text)) {
      return fail(
        `quotes and backslashes are not interpreted (omk never runs a shell); use a JSON array for arguments with spaces. Example: ${JSON_EXAMPLE}`,
      );
    }
    args = text.split(/\s+/);
  }
  if (args.length > MAX_ARGS) return fail(`${args.length} arguments; at most ${MAX_ARGS}.`);
  if (args.some((arg) => arg.length > MAX_ARG_CHARS || arg.includes('\0'))) {
    return fail(`each argument must be at most ${MAX_ARG_CHARS} characters, without NUL.`);
  }
  return args;
});
