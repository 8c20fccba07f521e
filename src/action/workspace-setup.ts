import { z } from 'zod';
import { argvOfLine, workspaceSetupSchema } from '../runtime/app/index.js';

const EXAMPLE = `workspace-setup: |
    npm ci
    ["node", "scripts/make fixtures.js"]`;

/** Why a line `argvOfLine` refused is not a command, after the line itself (`'…' has quotes …`). */
export const LINE_PROBLEMS = {
  quotes:
    'has quotes or backslashes, which are not interpreted (omk never runs a shell); write the line as a JSON array of strings',
  not_json: 'is not a JSON array of strings',
  not_strings: 'must be a JSON array of strings',
};

/**
 * `workspace-setup`: the config's `workspace.setup` for this run, one command per line (blank
 * lines ignored), each line read by `argvOfLine`. The commands are then judged by
 * the config key's own rules (at most 16, no empty argument), worded for the input.
 */
export const workspaceSetupInputSchema = z.string().transform((raw, ctx): string[][] | undefined => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `workspace-setup: ${message} Example: ${EXAMPLE}` });
    return z.NEVER;
  };
  const lines = raw
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter((line) => line.text !== '');
  if (lines.length === 0) return undefined;
  const commands: string[][] = [];
  for (const line of lines) {
    const argv = argvOfLine(line.text);
    if (!Array.isArray(argv))
      return fail(`line ${line.number} '${line.text}' ${LINE_PROBLEMS[argv.problem]}.`);
    commands.push(argv);
  }
  const judged = workspaceSetupSchema.safeParse(commands);
  if (judged.success) return judged.data;
  const issue = judged.error.issues[0];
  const [index, arg] = issue?.path ?? [];
  const where =
    typeof index === 'number'
      ? `line ${lines[index]?.number ?? index + 1}${typeof arg === 'number' ? `, argument ${arg + 1}` : ''}: `
      : '';
  return fail(`${where}${issue?.message ?? 'is not a list of commands'}.`);
});
