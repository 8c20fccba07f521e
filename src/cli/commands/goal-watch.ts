import type { Command } from 'commander';
import { followGoal } from '../../adapters/terminal/follow.js';
import { settledVerdict } from '../../runtime/app/index.js';
import { act } from '../command.js';
import { goalIdArgument, intervalOption } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

/**
 * `watch`: follows one goal until it settles, then exits with the goal's code. On a terminal a
 * view redrawn in place; otherwise one line per event; `--json` one event per line (NDJSON).
 */
export function registerWatchCommand(goal: Command, context: ProgramContext): void {
  goal
    .command('watch')
    .description(
      "follow a goal until it settles: its slices (state, attempt, elapsed, the agent's last line, gates) and budget; exits with the goal's code",
    )
    .addArgument(goalIdArgument())
    .option('--json', 'stream the events as NDJSON (one JSON object per line)')
    .addOption(
      intervalOption('time between reads (and redraws) of the goal', 500, 'omk goal watch --interval 500'),
    )
    .action(
      act<{ interval: number }>(context, async ({ options, goal: target, io, format }) => {
        const { app, goalId } = await target();
        const live = format !== 'json' && io.stdoutIsTTY === true;
        const { settled } = await followGoal(app.store, goalId, {
          mode: format === 'json' ? 'json' : live ? 'live' : 'lines',
          intervalMs: options.interval,
          verbose: context.verbosity() === 'verbose',
          write: io.stdout,
          columns: io.columns ?? 80,
          steps: CLI_STEPS,
          untilSettled: true,
        });
        if (settled === null) return;
        if (format !== 'json' && !live) io.stdout(`goal ${goalId} ${settled.status}\n`);
        return settledVerdict(settled);
      }),
    );
}
