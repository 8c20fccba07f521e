import { z } from 'zod';
import { argvOfLine } from '../runtime/app/index.js';
import { LINE_PROBLEMS } from './workspace-setup.js';

const MAX_ARGS = 64;
const MAX_ARG_CHARS = 4096;
const JSON_EXAMPLE = `agent-args: '["--append-system-prompt", "keep the diff small"]'`;

/** `agent-args`: extra arguments for the agent's command, as one line `argvOfLine` reads. */
export const agentArgsSchema = z.string().transform((raw, ctx): string[] => {
  const text = raw.trim();
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `agent-args: ${message}` });
    return z.NEVER;
  };
  if (text === '') return [];
  const args = argvOfLine(text);
  if (!Array.isArray(args)) return fail(`'${raw}' ${LINE_PROBLEMS[args.problem]}. Example: ${JSON_EXAMPLE}`);
  if (args.length > MAX_ARGS) return fail(`${args.length} arguments; at most ${MAX_ARGS}.`);
  if (args.some((arg) => arg.length > MAX_ARG_CHARS || arg.includes('\0'))) {
    return fail(`each argument must be at most ${MAX_ARG_CHARS} characters, without NUL.`);
  }
  return args;
});
