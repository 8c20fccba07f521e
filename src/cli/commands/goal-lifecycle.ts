import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  addBudget,
  budgetAddRequestSchema,
  changeLifecycle,
  type LifecycleAction,
  lifecycleText,
  parseRequest,
  resumeOrphansHere,
  transitionOf,
  transitionReport,
  UsageError,
} from '../../runtime/app/index.js';
import { renderBudgetText, renderResumedText, renderTransitionText } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { agentOption, forgeOption, goalIdArgument, printAs, TEXT_OR_JSON, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';
import { executeHere, type RunFlags } from './goal-execute.js';

interface LifecycleFlags extends RunFlags {
  summary?: string;
  reason?: string;
  auto?: boolean;
  all?: boolean;
}

/** Each action's help, and the text option of those that take one. */
const ACTIONS: Record<LifecycleAction, { description: string; text?: [string, string] }> = {
  pause: { description: 'stop dispatching new work; running agents finish or are stopped' },
  resume: {
    description:
      "continue a paused or interrupted goal (--auto: each of this repository's goals whose controller died)",
  },
  cancel: {
    description: 'stop the goal for good and write failure.json',
    text: ['--reason <text>', 'why the goal is cancelled'],
  },
  accept: {
    description: 'record a human acceptance of the goal (requires --summary)',
    text: [
      '--summary <text>',
      'why (required), e.g. omk goal accept --summary "fixed the parser, tests green"',
    ],
  },
  reject: {
    description: 'record a human rejection of the goal (requires --reason)',
    text: [
      '--reason <text>',
      'why (required), e.g. omk goal reject --reason "wrong approach: keep the old API"',
    ],
  },
};

/**
 * Who accepts or rejects from this terminal: the operating system account that ran omk (not a forge
 * login, which the bot and the Action record), marked as such; undefined when neither the account
 * database nor USER/LOGNAME names one.
 */
export function localAccount(env: Readonly<Record<string, string | undefined>>): string | undefined {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): fall back to what the shell says.
    name = env.USER ?? env.LOGNAME;
  }
  return name === undefined || name === '' ? undefined : `${name} (local account)`;
}

export function registerLifecycleCommands(goal: Command, context: ProgramContext): void {
  for (const action of ['pause', 'resume', 'cancel', 'accept', 'reject'] as const) {
    const { description, text } = ACTIONS[action];
    const command = withFormat(goal.command(action).description(description), TEXT_OR_JSON).addArgument(
      goalIdArgument(false),
    );
    if (text) command.option(...text);
    if (action === 'resume') {
      command
        .option('--auto', "resume each of this repository's goals whose controller process died")
        .option('--all', "with --auto: every repository's (each runs in its own checkout)")
        .addOption(agentOption('the agent to continue with (default: the one the goal was started with)'))
        .addOption(forgeOption());
    }
    command.action(
      act<LifecycleFlags>(context, async (call) => {
        const { options, io, format } = call;
        const words = lifecycleText(action, options);
        // A resume that continues the run shows the same progress on stderr as `goal run`.
        if (options.all === true && (options.auto !== true || call.ref !== undefined)) {
          throw new UsageError('--all goes with resume --auto, and takes no GOAL_ID.', {
            hint: 'Example: omk goal resume --auto --all',
          });
        }
        if (action === 'resume' && options.auto === true) {
          const scope = options.all === true ? null : await call.here();
          const { results, verdict, leftOut } = await resumeOrphansHere(
            call.compose().store,
            scope,
            (goalId) => executeHere(call, { goalId }, false),
          );
          printAs(io, format, results, renderResumedText, (all) => all.map(transitionOf));
          if (leftOut > 0 && format !== 'json')
            io.stderr(
              `omk: left ${leftOut} interrupted goal(s) of other repositories alone; resume them with: omk goal resume --auto --all\n`,
            );
          return verdict;
        }
        const { app, goalId } = await call.goal();
        // A person's decision records who made it: the account that ran the command.
        const by = action === 'accept' || action === 'reject' ? localAccount(io.env) : undefined;
        const { result, execute } = await changeLifecycle(app.store, goalId, action, words, by);
        // Continuing the run: its JSON is the execution's report alone.
        if (!execute || format !== 'json')
          printAs(
            io,
            format,
            result,
            (changed) => renderTransitionText(changed, CLI_STEPS),
            transitionReport,
          );
        return execute ? executeHere(call, { goalId }) : undefined;
      }),
    );
  }

  withFormat(
    goal
      .command('budget-add')
      .description('extend a goal budget (at least one of --time, --tokens, --usd)')
      .addArgument(goalIdArgument(false))
      .option('--time <duration>', 'add time, e.g. 2h')
      .option('--tokens <n>', 'add tokens, e.g. 100k')
      .option('--usd <amount>', 'add US dollars, e.g. 10'),
    TEXT_OR_JSON,
  ).action(
    act(context, async ({ options, goal: target, io, format }) => {
      // --time, --tokens and --usd are the request's fields by name.
      const add = parseRequest(budgetAddRequestSchema, options);
      const { app, goalId } = await target();
      printAs(io, format, await addBudget(app.store, goalId, add), renderBudgetText);
    }),
  );
}
