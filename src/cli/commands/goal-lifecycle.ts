import type { Command } from 'commander';
import {
  addBudget,
  budgetAddRequestSchema,
  changeLifecycle,
  type LifecycleAction,
  lifecycleText,
  parseRequest,
  resumeAllOrphans,
  transitionOf,
  transitionReport,
} from '../../runtime/app/index.js';
import { renderBudgetText, renderTransitionText } from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { agentOption, forgeOption, formatOf, goalIdArgument, json, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { RunProgress } from '../progress.js';
import { printExecuted, runController } from './goal-execute.js';

type FormatOptions = { format?: string; json?: boolean };
type LifecycleOptions = FormatOptions & {
  summary?: string;
  reason?: string;
  auto?: boolean;
  agent?: string;
  forge?: string;
};

/** The text option of the actions that require one: its flags and help. */
const TEXT_FLAG: Partial<Record<LifecycleAction, [string, string]>> = {
  accept: [
    '--summary <text>',
    'why (required), e.g. omk goal accept --summary "fixed the parser, tests green"',
  ],
  reject: [
    '--reason <text>',
    'why (required), e.g. omk goal reject --reason "wrong approach: keep the old API"',
  ],
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
    if (textFlag) command.option(...textFlag);
    if (action === 'cancel') command.option('--reason <text>', 'why the goal is cancelled');
    if (action === 'resume') {
      command
        .option('--auto', 'resume every goal whose controller process died')
        .addOption(agentOption('the agent to continue with (default: the one the goal was started with)'))
        .addOption(forgeOption());
    }
    command.action(async (ref: string | undefined, options: LifecycleOptions) => {
      const format = formatOf(options, ['text', 'json']);
      const text = lifecycleText(action, options);
      // A resume that continues the run shows the same progress on stderr as `goal run`.
      const execute = async (goalId: string) => {
        const progress = new RunProgress(context, format);
        const app = composeRuntime(progress.io, context.stateDir(), options);
        progress.start(app.store, goalId);
        const executed = await progress.around(() =>
          runController(context, app, goalId, { agent: options.agent }),
        );
        return { executed, dir: app.store.paths(goalId).dir };
      };
      const { store } = composeRuntime(io, context.stateDir(), options);
      if (action === 'resume' && options.auto === true) {
        const changes = await resumeAllOrphans(store);
        for (const change of changes) if (change.execute) await execute(change.result.goal.id);
        const results = changes.map((change) => change.result);
        if (format === 'json') io.stdout(json(results.map(transitionOf)));
        else io.stdout(results.map(renderTransitionText).join('') || 'no interrupted goals to resume\n');
        return;
      }
      const { result, execute: continues } = await changeLifecycle(
        store,
        await store.resolve(ref),
        action,
        text,
      );
      if (!continues) {
        io.stdout(format === 'json' ? json(transitionReport(result)) : renderTransitionText(result));
        return;
      }
      if (format !== 'json') io.stdout(renderTransitionText(result));
      const { executed, dir } = await execute(result.goal.id);
      printExecuted(context, executed, format, dir);
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
      io.stdout(format === 'json' ? json(view) : renderBudgetText(view));
    },
  );
}
