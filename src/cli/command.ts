import type { Command } from 'commander';
import { repoScopeAt } from '../adapters/git/repo-scope.js';
import { type AppDeps, type ExitVerdict, type RepoScope, resolveGoal } from '../runtime/app/index.js';
import { type CliIo, composeRuntime } from './context.js';
import { EXIT_CODES } from './exit-codes.js';
import { goalIdArgument, type OutputFormat, TEXT_OR_JSON, withFormat } from './options.js';
import type { ProgramContext } from './program.js';

/** The flags any command may carry into its composition and its printing. */
export interface Flags {
  format?: string;
  json?: boolean;
  forge?: string;
  /** --repo, on the commands that take it: the repository the command runs in. */
  repo?: string;
}

/** What a command's body is given. */
export interface Call<O extends object> {
  context: ProgramContext;
  io: CliIo;
  options: O & Flags;
  /** The first argument (GOAL_ID where the command takes one) and the others, variadic ones spread. */
  ref: string | undefined;
  rest: string[];
  /** --json, else --format (checked as it was parsed), else text. */
  format: OutputFormat;
  /** The runtime for this command (--forge and --state-dir applied); its notes go to `io`, else the command's. */
  compose: (io?: CliIo) => AppDeps;
  /**
   * The repository the command runs in (--repo, else the current directory's; null outside any):
   * `latest` and prefixes name its goals.
   */
  here: () => Promise<RepoScope | null>;
  /**
   * `compose`, and the goal GOAL_ID names resolved in its store ('latest' when the command left it
   * out) for the repository the command runs in.
   */
  goal: (io?: CliIo) => Promise<{ app: AppDeps; goalId: string }>;
}

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'md'];

/**
 * The one action of every command: its flags and arguments read, its body run, the verdict the body
 * returns set as the exit code (nothing returned: success). Errors go to `runCli`, which maps them.
 */
export function act<O extends object = Flags>(
  context: ProgramContext,
  body: (call: Call<O>) => Promise<ExitVerdict | undefined>,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts<O & Flags>();
    const [ref, ...rest] = command.processedArgs.flat() as Array<string | undefined>;
    const compose = (io = context.io) => composeRuntime(io, context.stateDir(), options);
    const here = () => repoScopeAt(context.io.cwd, options.repo);
    const verdict = await body({
      context,
      io: context.io,
      options,
      ref,
      rest: rest.filter((arg): arg is string => arg !== undefined),
      format: options.json === true ? 'json' : (FORMATS.find((known) => known === options.format) ?? 'text'),
      compose,
      here,
      goal: async (io) => {
        const app = compose(io);
        return { app, goalId: await resolveGoal(app.store, ref, await here()) };
      },
    });
    if (verdict) context.setExitCode(EXIT_CODES[verdict]);
  };
}

/** `omk goal <name> [GOAL_ID]` ('latest' when left out) with its --format choices (text and JSON unless told). */
export function goalCommand(
  parent: Command,
  name: string,
  description: string,
  formats: readonly OutputFormat[] = TEXT_OR_JSON,
): Command {
  return withFormat(parent.command(name).description(description), formats).addArgument(goalIdArgument());
}
