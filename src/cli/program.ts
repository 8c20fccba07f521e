import { Command } from 'commander';
import { registerCompletionCommand } from './commands/completion.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerCleanCommand } from './commands/goal-clean.js';
import { registerCreateCommands } from './commands/goal-create.js';
import { registerDeliverCommands } from './commands/goal-deliver.js';
import { registerExecuteCommands } from './commands/goal-execute.js';
import { registerFixCommand } from './commands/goal-fix.js';
import { registerLifecycleCommands } from './commands/goal-lifecycle.js';
import { registerReadCommands } from './commands/goal-read.js';
import { registerWatchCommand } from './commands/goal-watch.js';
import { registerHudCommand } from './commands/hud.js';
import type { CliIo, Verbosity } from './context.js';
import { EXIT_CODE_HELP } from './exit-codes.js';

export interface ProgramContext {
  io: CliIo;
  /** The --state-dir given on the command line, if any. */
  stateDir: () => string | undefined;
  setExitCode: (code: number) => void;
  /** --quiet / --verbose, as given before or after the command. */
  verbosity: () => Verbosity;
}

export function buildProgram(outer: CliIo, setExitCode: (code: number) => void): Command {
  const verbosity = (): Verbosity => {
    const { quiet, verbose } = program.opts<{ quiet?: boolean; verbose?: boolean }>();
    return quiet === true ? 'quiet' : verbose === true ? 'verbose' : 'normal';
  };
  const io: CliIo = { ...outer, verbosity };
  const program = new Command('omk')
    .description('Turn an engineering goal into proof-backed, reviewable, mergeable work.')
    .version('0.1.0')
    .option(
      '--state-dir <dir>',
      'goal state root (default: $OMK_STATE_DIR, $XDG_STATE_HOME/omk, ~/.local/state/omk)',
    )
    .option('--quiet', 'print only the result (no progress, no notes)')
    .option('--verbose', "also print the agents' and gates' output lines as they come")
    // Every command inherits these as it is made, so its output and errors reach runCli.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\nStart with: omk goal run "fix the failing tests" --help\n\n${EXIT_CODE_HELP}\n`);
  const context: ProgramContext = {
    io,
    stateDir: () => program.opts<{ stateDir?: string }>().stateDir,
    setExitCode,
    verbosity,
  };
  registerDemoCommand(program, context);
  registerDoctorCommand(program, context);
  const goal = program
    .command('goal')
    .description('plan, run, inspect and decide on goals')
    .addHelpText(
      'after',
      `\nGOAL_ID defaults to 'latest'; a unique prefix of an id also works. 'latest' and prefixes name\nthe goals of the repository you are in (all goals outside one); a whole id names any goal.\n\n${EXIT_CODE_HELP}\n`,
    );
  for (const register of [
    registerCreateCommands,
    registerExecuteCommands,
    registerDeliverCommands,
    registerFixCommand,
    registerReadCommands,
    registerLifecycleCommands,
    registerCleanCommand,
    registerWatchCommand,
  ]) {
    register(goal, context);
  }
  registerHudCommand(program, context);
  registerCompletionCommand(program, context);
  return program;
}
