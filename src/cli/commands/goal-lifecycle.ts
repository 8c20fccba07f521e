import type { Command } from 'commander';
import {
  addBudget,
  applyLifecycle,
  budgetAddRequestSchema,
  type LifecycleAction,
  parseRequest,
  resumeContinuesExecution,
  resumeOrphans,
  summaryTextSchema,
  transitionOf,
  transitionReport,
} from '../../runtime/app/index.js';
import { composeRuntime } from '../context.js';
import { agentOption, forgeOption, formatOf, goalIdArgument, json, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { RunProgress } from '../progress.js';
import { renderBudget, renderTransition } from '../render/goal.js';
import { printExecuted, runController } from './goal-execute.js';

type FormatOptions = { format?: string; json?: boolean };

const TEXT_FLAG: Partial<
  Record<LifecycleAction, { flag: string; key: 'summary' | 'reason'; example: string }>
> = {
  accept: {
    flag: '--summary',
    key: 'summary',
    example: 'omk goal accept --summary "fixed the parser, tests green"',
  },
  reject: {
    flag: '--reason',
    key: 'reason',
    example: 'omk goal reject --reason "wrong approach: keep the old API"',
  },
};

const DESCRIPTIONS: Record<LifecycleAction, string> = {
  pause: 'stop dispatching new work; running agents finish or are stopped',
  resume: 'continue a paused or interrupted goal (--auto: every goal whose controller died)',
  cancel: 'stop the goal for good and write failure.json',
  accept: 'record a human acceptance of the goal (requires --summary)',
  reject: 'record a human rejection of the goal (requires --reason)',
};

export function registerLifecycleCommands(goal: Command, context: ProgramContext): void {
  const { io } = context;
  for (const action of ['pause', 'resume', 'cancel', 'accept', 'reject'] as const) {
    const command = withFormat(goal.command(action).description(DESCRIPTIONS[action]), [
      'text',
      'json',
    ]).addArgument(goalIdArgument(false));
    const textFlag = TEXT_FLAG[action];
    if (textFlag) command.option(`${textFlag.flag} <text>`, `why (required), e.g. ${textFlag.example}`);
    if (action === 'cancel') command.option('--reason <text>', 'why the goal is cancelled');
    if (action === 'resume') {
      command
        .option('--auto', 'resume every goal whose controller process died')
        .addOption(agentOption('the agent to continue with (default: the one the goal was started with)'))
        .addOption(forgeOption());
    }
    command.action(async (ref: string | undefined, options: FormatOptions & Record<string, unknown>) => {
      const format = formatOf(options, ['text', 'json']);
      const text = textFlag
        ? parseRequest(summaryTextSchema(textFlag.key), options[textFlag.key] ?? '')
        : typeof options.reason === 'string'
          ? options.reason
          : '';
      // resume continues the run: the same progress on stderr as `goal run` (a terminal, not --json).
      const progress = new RunProgress(context, format);
      const runtime = composeRuntime(action === 'resume' ? progress.io : io, context.stateDir(), {
        forge: options.forge as string | undefined,
      });
      if (action === 'resume' && options.auto === true) {
        const results = await resumeOrphans(runtime.store);
        for (const result of results) {
          // Only orphans are resumed here: a `planned` one is a run killed while it planned.
          if (resumeContinuesExecution(result, { startPlanned: true })) {
            // One progress per goal, and a runtime whose notes land above its block.
            const each = new RunProgress(context, format);
            const app = composeRuntime(each.io, context.stateDir(), {
              forge: options.forge as string | undefined,
            });
            each.start(app.store, result.goal.id);
            await each.around(() =>
              runController(context, app, result.goal.id, { agent: options.agent as string | undefined }),
            );
          }
        }
        io.stdout(
          format === 'json'
            ? json(results.map(transitionOf))
            : results.length === 0
              ? 'no interrupted goals to resume\n'
              : results.map(renderTransition).join(''),
        );
        return;
      }
      const result = await applyLifecycle(runtime.store, await runtime.store.resolve(ref), action, text);
      if (action === 'resume' && resumeContinuesExecution(result)) {
        if (format !== 'json') io.stdout(renderTransition(result));
        progress.start(runtime.store, result.goal.id);
        const executed = await progress.around(() =>
          runController(context, runtime, result.goal.id, { agent: options.agent as string | undefined }),
        );
        printExecuted(context, executed, format, runtime.store.paths(result.goal.id).dir);
        return;
      }
      io.stdout(format === 'json' ? json(transitionReport(result)) : renderTransition(result));
    });
  }

  withFormat(
    goal
      .command('budget-add')
      .description('extend a goal budget (at least one of --time, --tokens, --usd)')
      .addArgument(goalIdArgument(false))
      .option('--time <duration>', 'add time, e.g. 2h')
      .option('--tokens <n>', 'add tokens, e.g. 100k')
      .option('--usd <amount>', 'add US dollars, e.g. 10'),
    ['text', 'json'],
  ).action(
    async (
      ref: string | undefined,
      options: FormatOptions & { time?: string; tokens?: string; usd?: string },
    ) => {
      const format = formatOf(options, ['text', 'json']);
      const add = parseRequest(budgetAddRequestSchema, {
        time: options.time,
        tokens: options.tokens,
        usd: options.usd,
      });
      const { store } = composeRuntime(io, context.stateDir());
      const view = await addBudget(store, await store.resolve(ref), add);
      io.stdout(format === 'json' ? json(view) : renderBudget(view));
    },
  );
}
