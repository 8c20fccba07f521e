import type { Command } from 'commander';
import {
  type AppDeps,
  describeNote,
  type ExecuteOutcome,
  type ExecuteResult,
  executeAndDeliver,
  judgeProof,
  reverify,
} from '../../runtime/app/index.js';
import { renderProofMarkdown } from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { agentChoiceOf, formatOf, json, sandboxOption, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { RunProgress } from '../progress.js';
import { renderExecuted } from '../render/goal.js';

export interface ExecuteCliOptions {
  agent?: string;
  sandbox?: string;
  untilReady?: boolean;
  keepWorktrees?: boolean;
}

export const KEEP_WORKTREES_FLAG = '--keep-worktrees';
export const KEEP_WORKTREES_HELP =
  "keep the goal's worktrees when it settles (default: removed, as config workspace.keep says)";

/** --keep-worktrees given: keep them; not given: the config decides. */
export function keepWorktrees(options: { keepWorktrees?: boolean }): { keepWorktrees?: true } {
  return options.keepWorktrees === true ? { keepWorktrees: true } : {};
}

/** Runs `fn` with SIGINT/SIGTERM aborting its signal: an interrupted goal is resumable. */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
  if (outcome.stoppedBy === 'signal') context.setExitCode(EXIT_CODES.interrupted);
  else if (outcome.stoppedBy === 'budget') context.setExitCode(EXIT_CODES.budget);
  else if (untilReady && !judgeProof(outcome.proof, { failOnNotReady: true }).passes)
    context.setExitCode(EXIT_CODES.not_ready);
  for (const note of outcome.notes) app.reporter.info(describeNote(note, app.words));
}

/** Executes a goal, then delivers by its policies. */
export async function runController(
  context: ProgramContext,
  app: AppDeps,
  goalId: string,
  options: ExecuteCliOptions,
): Promise<ExecuteOutcome> {
  const outcome = await interruptible((signal) =>
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
  if (format === 'json')
    context.io.stdout(json({ goal: result.goal, proof: result.proof, stoppedBy: result.stoppedBy }));
  else if (format === 'md') context.io.stdout(renderProofMarkdown(result.proof));
  else context.io.stdout(renderExecuted(result, dir));
}

export function registerExecuteCommand(goal: Command, context: ProgramContext): void {
  withFormat(
    goal
      .command('execute')
      .description('run the planned slices: agents in worktrees, gates, review, local integration, proof')
      .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
      .option(
        '--agent <agent>',
        'claude | codex | gemini | kimi | aider | opencode | script:<path> | <custom> | demo',
      )
      .addOption(sandboxOption())
      .option(
        '--until-ready',
        'retry slices up to their retries until the proof is ready, failed, blocked or out of budget',
      )
      .option('--forge <forge>', 'auto | local | github: where PRs go when the policy is draft-pr or auto-pr')
      .option(KEEP_WORKTREES_FLAG, KEEP_WORKTREES_HELP),
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
    withFormat(
      goal
        .command(name)
        .description(
          name === 'verify'
            ? 'rerun the gates (and the reviews) on the integrated tree of the done slices; no agent runs'
            : 'rerun the controller and security reviews (and the gates) on the integrated change; no agent runs',
        )
        .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest'),
    ).action(async (ref: string, options: { format?: string; json?: boolean }) => {
      const format = formatOf(options);
      const app = composeRuntime(context.io, context.stateDir());
      const id = await app.store.resolve(ref);
      const result = await reverify(app, id);
      printExecuted(context, result, format, app.store.paths(id).dir);
    });
  }
}
