import type { Command } from 'commander';
import { cleanAllGoals, cleanGoal, resolveGoal, UsageError } from '../../runtime/app/index.js';
import { renderCleanedText } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { goalIdArgument, printAs } from '../options.js';
import type { ProgramContext } from '../program.js';

/** `clean`: what omk made for a goal (worktrees; branches once the goal is done), nothing else. */
export function registerCleanCommand(goal: Command, context: ProgramContext): void {
  goal
    .command('clean')
    .description(
      'remove the worktrees omk made for a goal that is not running, and its omk/<goal-id>/* branches once it is merged, cancelled or rejected',
    )
    .addArgument(goalIdArgument(false))
    .option('--all', 'every goal of this repository that is not running (outside a repository: every goal)')
    .option('--json', 'print what was removed as JSON')
    .action(
      act<{ all?: boolean }>(context, async ({ options, compose, here, ref, io, format }) => {
        if (options.all === true && ref !== undefined) {
          throw new UsageError('clean takes a GOAL_ID or --all, not both.', {
            hint: 'Example: omk goal clean --all',
          });
        }
        const app = compose();
        const outcomes =
          options.all === true
            ? await cleanAllGoals(app, await here())
            : [await cleanGoal(app, await resolveGoal(app.store, ref, await here()))];
        printAs(io, format, outcomes, renderCleanedText);
      }),
    );
}
