import type { Command } from 'commander';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import {
  type AppDeps,
  describeNote,
  type ExecuteOutcome,
  type ExecuteResult,
  executeAndDeliver,
  executedReport,
  reverify,
  runVerdict,
} from '../../runtime/app/index.js';
import { renderExecutedText, renderProofMarkdown } from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { goalCommand, onGoal } from '../goal-action.js';
import { agentChoiceOf, formatOf, json, keepWorktrees, withRunOptions } from '../options.js';
import type { ProgramContext } from '../program.js';
import { RunProgress } from '../progress.js';
import { CLI_STEPS } from '../wording.js';

export interface ExecuteCliOptions {
  agent?: string;
  sandbox?: string;
  sandboxNetwork?: string;
  untilReady?: boolean;
  keepWorktrees?: boolean;
}

/**
 * Prints an execution's notes and sets the exit status: 130 interrupted, 9 out of budget, and with
 * --until-ready 10 when the proof is not ready (scripts can gate on it).
 */
export function reportExecuted(
  context: ProgramContext,
  app: AppDeps,
  outcome: ExecuteOutcome,
  untilReady: boolean | undefined,
): void {
  const verdict = runVerdict(outcome, untilReady);
  if (verdict !== null) context.setExitCode(EXIT_CODES[verdict]);
  for (const note of outcome.notes) app.reporter.info(describeNote(note, app.words));
}

/** Executes a goal, then delivers by its policies. */
export async function runController(
  context: ProgramContext,
  app: AppDeps,
  goalId: string,
  options: ExecuteCliOptions,
): Promise<ExecuteOutcome> {
  const outcome = await abortOnSignal(processSignals(), (signal) =>
    executeAndDeliver(app, {
      goalId,
      agent: agentChoiceOf(options),
      ...(options.untilReady === undefined ? {} : { untilReady: options.untilReady }),
      ...keepWorktrees(options),
      signal,
      after: 'deliver',
    }),
  );
  reportExecuted(context, app, outcome, options.untilReady);
  return outcome;
}

export function printExecuted(
  context: ProgramContext,
  result: ExecuteResult,
  format: 'text' | 'json' | 'md',
  dir: string,
): void {
  if (format === 'json') context.io.stdout(json(executedReport(result)));
  else if (format === 'md') context.io.stdout(renderProofMarkdown(result.proof));
  else {
    const { id } = result.goal;
    const inspect = `inspect: omk goal proof ${id}   omk goal replay ${id}   omk goal show ${id}\n`;
    context.io.stdout(`${renderExecutedText(result, CLI_STEPS)}artifacts: ${dir}\n${inspect}`);
  }
}

export function registerExecuteCommand(goal: Command, context: ProgramContext): void {
  withRunOptions(
    goalCommand(
      goal,
      'execute',
      'run the planned slices: agents in worktrees, gates, review, local integration, proof',
      ['text', 'json', 'md'],
    ).option(
      '--until-ready',
      'retry slices up to their retries until the proof is ready, failed, blocked or out of budget',
    ),
  ).action(
    async (ref: string, options: ExecuteCliOptions & { forge?: string; format?: string; json?: boolean }) => {
      const format = formatOf(options);
      const progress = new RunProgress(context, format);
      const app = composeRuntime(progress.io, context.stateDir(), options);
      const id = await app.store.resolve(ref);
      progress.start(app.store, id);
      const result = await progress.around(() => runController(context, app, id, options));
      printExecuted(context, result, format, app.store.paths(id).dir);
    },
  );
}

/**
 * `verify` and `review`: rerun the gates and the reviews on the integrated tree of what is done,
 * without starting any agent, and settle the proof again (after a flaky run, or a config change).
 */
export function registerVerifyCommands(goal: Command, context: ProgramContext): void {
  for (const name of ['verify', 'review'] as const) {
    const description =
      name === 'verify'
        ? 'rerun the gates (and the reviews) on the integrated tree of the done slices; no agent runs'
        : 'rerun the controller and security reviews (and the gates) on the integrated change; no agent runs';
    const formats = ['text', 'json', 'md'] as const;
    goalCommand(goal, name, description, formats).action(
      onGoal(context, formats, async ({ app, goalId, format }) =>
        printExecuted(context, await reverify(app, goalId), format, app.store.paths(goalId).dir),
      ),
    );
  }
}
