import type { Command } from 'commander';
import { completionScript, SHELLS } from '../../adapters/terminal/completion.js';
import { UsageError } from '../../runtime/app/index.js';
import type { ProgramContext } from '../program.js';

/** `completion bash|zsh|fish`: a script generated from the command tree itself. */
export function registerCompletionCommand(program: Command, context: ProgramContext): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(omk completion bash)", or | source in fish')
    .argument('<shell>', `one of ${SHELLS.join(', ')}`)
    .action((name: string) => {
      const shell = SHELLS.find((known) => known === name);
      if (shell === undefined) {
        throw new UsageError(`completion: '${name}' is not one of ${SHELLS.join(', ')}.`, {
          hint: 'Example: eval "$(omk completion bash)" in ~/.bashrc',
        });
      }
      context.io.stdout(completionScript(program, shell));
    });
}
