import type { Command } from 'commander';
import { followHud, resolveGoal, UsageError } from '../../runtime/app/index.js';
import { renderHudText } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { intervalOption, json } from '../options.js';
import type { ProgramContext } from '../program.js';

const CLEAR = '\x1b[H\x1b[2J';

/**
 * `hud`: what omk is doing, without reading logs. `--once` prints one snapshot (text or JSON) for
 * scripts and dashboards; otherwise it redraws every interval until no goal it shows is active.
 */
export function registerHudCommand(program: Command, context: ProgramContext): void {
  program
    .command('hud')
    .description('what omk is doing now: task counts, running agents (pid, slice, elapsed), the last event')
    .argument(
      '[GOAL_ID]',
      "one goal (id, unique prefix or 'latest'); default: every running, paused or interrupted goal of this repository",
    )
    .option('--all', "every repository's running, paused or interrupted goals")
    .option('--once', 'print one snapshot and exit')
    .option('--json', 'print the snapshot as JSON (with --once: one object; live: one line per snapshot)')
    .addOption(intervalOption('live mode: time between snapshots', 2000, 'omk hud --interval 1000'))
    .action(
      act<{ once?: boolean; interval: number; all?: boolean }>(
        context,
        async ({ options, compose, here, ref, io, format }) => {
          if (options.all === true && ref !== undefined) {
            throw new UsageError('hud takes a GOAL_ID or --all, not both.', {
              hint: 'Example: omk hud --all',
            });
          }
          const { store } = compose();
          const live = options.once !== true;
          const redraw = live && format !== 'json' && io.stdoutIsTTY === true;
          const target =
            ref !== undefined
              ? { goalId: await resolveGoal(store, ref, await here()) }
              : { scope: options.all === true ? null : await here() };
          await followHud(store, target, {
            live,
            intervalMs: options.interval,
            show: (snapshot) => {
              const others = snapshot.otherRepositories;
              const note = others > 0 ? `(${others} in other repositories: omk hud --all)\n` : '';
              if (format !== 'json') io.stdout(`${redraw ? CLEAR : ''}${renderHudText(snapshot)}${note}`);
              else io.stdout(live ? `${JSON.stringify(snapshot)}\n` : json(snapshot));
            },
          });
        },
      ),
    );
}
