import { CommanderError } from 'commander';
import { errorVerdict, errorWords, isOmkError } from '../runtime/app/index.js';
import type { CliIo } from './context.js';
import { EXIT_CODES } from './exit-codes.js';
import { buildProgram } from './program.js';
import { CLI_WORDS } from './wording.js';

/** Parses argv, runs one command, and maps every error to a message and an exit code here only. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_CODES.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; commander already printed its own message otherwise.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (isOmkError(error)) {
      const { message, hint } = errorWords(error, CLI_WORDS);
      io.stderr(`omk: error: ${message}\n`);
      if (hint) io.stderr(`hint: ${hint}\n`);
      if (io.env.OMK_DEBUG === '1') io.stderr(debugTrace(error));
      return EXIT_CODES[errorVerdict(error.code)];
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(
      `omk: internal error: ${detail}\nThis is a bug in omk; please report it with the command you ran.\n`,
    );
    return EXIT_CODES.internal;
  }
}

/** OMK_DEBUG=1: the stack of an expected error and of each of its causes, for a bug report. */
function debugTrace(error: unknown): string {
  let out = '';
  for (let cause: unknown = error, depth = 0; cause !== undefined && depth < 5; depth += 1) {
    out += `${depth === 0 ? 'debug' : 'caused by'}: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return out;
}
