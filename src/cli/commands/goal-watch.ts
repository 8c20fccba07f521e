import type { Command } from 'commander';
import { composeRuntime } from '../context.js';
import { goalExitCode } from '../exit-codes.js';
import { followGoal } from '../follow.js';
import { goalIdArgument, parseInterval } from '../options.js';
import type { ProgramContext } from '../program.js';

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
    .option('--interval <ms>', 'time between reads (and redraws) of the goal', '500')
    .action(async (ref: string, options: { json?: boolean; interval: string }) => {
      const intervalMs = parseInterval(options.interval, 'omk goal watch --interval 500');
      const { io } = context;
      const { store } = composeRuntime(io, context.stateDir());
      const goalId = await store.resolve(ref);
      const view = await followGoal(store, goalId, {
        mode: options.json === true ? 'json' : io.stdoutIsTTY === true ? 'live' : 'lines',
        intervalMs,
        verbose: context.verbosity() === 'verbose',
        write: io.stdout,
        columns: io.columns ?? 80,
        untilSettled: true,
      });
      if (view.settled !== null) {
        if (options.json !== true && io.stdoutIsTTY !== true)
          io.stdout(`goal ${goalId} ${view.settled.status}\n`);
        context.setExitCode(goalExitCode(view.settled));
      }
    });
}
