import type { Command } from 'commander';
import { type CliRuntime, composeRuntime } from './context.js';
import { formatOf, goalIdArgument, type OutputFormat, withFormat } from './options.js';
import type { ProgramContext } from './program.js';

/** The formats of a command that prints data but no report. */
export const TEXT_OR_JSON: readonly OutputFormat[] = ['text', 'json'];

/** The flags every goal command may carry into its composition and its printing. */
export interface GoalCommandFlags {
  format?: string;
  json?: boolean;
  forge?: string;
}

/** What a goal command's body is given: the runtime, the resolved goal, the format, its flags. */
export interface GoalCall<O> {
  app: CliRuntime;
  goalId: string;
  format: OutputFormat;
  options: O;
}

/**
 * The one "check the format, compose the runtime, resolve GOAL_ID, run, print" of the commands on
 * one goal: commander calls the returned action with the argument and the flags.
 */
export function onGoal<O extends GoalCommandFlags>(
  context: ProgramContext,
  formats: readonly OutputFormat[],
  body: (call: GoalCall<O>) => Promise<void>,
): (ref: string | undefined, options: O) => Promise<void> {
  return async (ref, options) => {
    const format = formatOf(options, formats);
    const app = composeRuntime(context.io, context.stateDir(), options);
    await body({ app, goalId: await app.store.resolve(ref), format, options });
  };
}

/** `omk goal <name> [GOAL_ID]` with its --format choices (text and JSON unless told). */
export function goalCommand(
  parent: Command,
  name: string,
  description: string,
  formats: readonly OutputFormat[] = TEXT_OR_JSON,
): Command {
  return withFormat(parent.command(name).description(description), formats).addArgument(goalIdArgument());
}
