import type { Command } from 'commander';
import { type CleanOutcome, cleanAllGoals, cleanGoal, UsageError } from '../../runtime/app/index.js';
import { composeRuntime } from '../context.js';
import { goalIdArgument, json } from '../options.js';
import type { ProgramContext } from '../program.js';

function renderCleaned(outcome: CleanOutcome): string {
  const kept =
    outcome.branches.length === 0 ? ' (branches kept until it is merged, cancelled or rejected)' : '';
  return `${outcome.goalId}: removed ${outcome.worktrees.length} worktree(s), ${outcome.branches.length} branch(es)${kept}\n`;
}

/** `clean`: what omk made for a goal (worktrees; branches once the goal is done), nothing else. */
export function registerCleanCommand(goal: Command, context: ProgramContext): void {
  goal
    .command('clean')
    .description(
      'remove the worktrees omk made for a goal that is not running, and its omk/<goal-id>/* branches once it is merged, cancelled or rejected',
    )
    .addArgument(goalIdArgument(false))
    .option('--all', 'every goal that is not running')
    .option('--json', 'print what was removed as JSON')
    .action(async (ref: string | undefined, options: { all?: boolean; json?: boolean }) => {
      if (options.all === true && ref !== undefined) {
        throw new UsageError('clean takes a GOAL_ID or --all, not both.', {
          hint: 'Example: omk goal clean --all',
        });
      }
      const app = composeRuntime(context.io, context.stateDir());
      const outcomes =
        options.all === true
          ? await cleanAllGoals(app)
          : [await cleanGoal(app, await app.store.resolve(ref))];
      context.io.stdout(
        options.json === true ? json(outcomes) : outcomes.map(renderCleaned).join('') || 'no goals\n',
      );
    });
}
